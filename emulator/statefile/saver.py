"""The one writer of a state file while the emulator runs: snapshots, periodic saves and the final
save on stop, one at a time.

Saving never stops the server answering. Served (with a lifespan, on a platform with `fork`),
a save captures the state in one short step by forking: the child process holds a copy-on-write
image of the emulator at that moment, encodes and writes it, and reports back through a pipe,
while the server goes on answering and a worker thread waits for the child. In-process (no
lifespan, small states) the state is captured and encoded on the loop and written on a worker
thread. Requests that ask for a save while one runs share it. The final save on stop runs on the
stopping thread: nothing else needs the process by then."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import os
import signal
import threading
import time
import warnings
from pathlib import Path

from emulator.logformat import FIELDS
from emulator.service import Emulator
from emulator.statefile.snapshot import dump_emulator
from emulator.statefile.storage import encode_document
from emulator.statefile.target import StateFileError, Target, remove_stale_temporaries
from emulator.support.gcpause import collector_paused

log = logging.getLogger("emulator")

# Before any save was measured: a rough cost per saved contact or row (about 15 µs of CPU with
# bench/statefile.py, plus room), for the stop budget.
SECONDS_PER_RECORD = 20e-6
_CAN_FORK = hasattr(os, "fork")


class Saver:
    def __init__(self, emulator: Emulator, target: Target) -> None:
        self.emulator = emulator
        self.target = target
        self.last_duration: float | None = None
        self.last_capture: float | None = None  # seconds the loop was held by the last save
        self.last_saved_at: str | None = None  # the emulator clock's moment of the last save
        self.fork = _CAN_FORK
        self._current: asyncio.Task[int] | None = None
        self._child: int | None = None
        self._child_gone = threading.Event()
        self._stretched_to: float | None = None

    @property
    def path(self) -> Path:
        return self.target.path

    def expected_seconds(self) -> float:
        """How long the next save should take: the last one, or an estimate from the size."""
        if self.last_duration is not None:
            return self.last_duration
        records = sum(len(org.contacts) + len(org.sent_rows)
                      for org in self.emulator.registry.orgs.values())
        return records * SECONDS_PER_RECORD

    async def save(self) -> int:
        """Save now, or join the save already running; returns the file's size in bytes."""
        if self._current is None or self._current.done():
            self._current = asyncio.get_running_loop().create_task(self._save_off_the_loop())
        return await asyncio.shield(self._current)

    async def save_logged(self) -> None:
        """A failed save is logged; the emulator keeps running (and the old file stays whole)."""
        try:
            await self.save()
        except StateFileError as error:
            log.error("%s", error, extra={FIELDS: {"event": "state_file_error"}})

    async def save_periodically(self, every: int) -> None:
        pause: float = every
        while True:
            await asyncio.sleep(pause)
            await self.save_logged()
            pause = self._next_pause(every)

    def _next_pause(self, every: int) -> float:
        """At least as long as a save takes, so saving never takes most of the server's time."""
        took = self.last_duration or 0.0
        if took <= every:
            self._stretched_to = None
            return every
        stretched = float(math.ceil(took))
        if self._stretched_to != stretched:
            log.warning("a save of the state file takes %.1f s, longer than --save-every %d s: "
                        "saving every %g s instead", took, every, stretched,
                        extra={FIELDS: {"event": "save_every_stretched",
                                        "seconds": stretched}})
            self._stretched_to = stretched
        return stretched

    def save_now(self) -> int:
        """The final save, on the calling thread (a save still running is superseded)."""
        self._supersede_child()
        started = time.monotonic()
        try:
            with collector_paused():  # hundreds of thousands of new lists, none of them garbage
                data = encode_document(self._document(), self._compressed)
            self.target.write(data)
        except OSError as error:
            raise self._failed(error) from None
        self.last_capture = time.monotonic() - started
        self._measured(started, len(data))
        return len(data)

    @property
    def _compressed(self) -> bool:
        return self.target.path.name.endswith(".gz")

    def _document(self) -> dict[str, object]:
        return dump_emulator(self.emulator, self.emulator.clock.now())

    def _failed(self, error: OSError) -> StateFileError:
        return StateFileError(f"cannot write the state file {self.path}: "
                              f"{error.strerror or error}")

    def _measured(self, started: float, size: int) -> None:
        self.last_duration = time.monotonic() - started
        self.last_saved_at = self.emulator.clock.now().isoformat()
        log.info("saved the state to %s (%d bytes in %.2f s; the server paused %.0f ms)",
                 self.path, size, self.last_duration, (self.last_capture or 0.0) * 1000,
                 extra={FIELDS: {"event": "state_saved", "bytes": size,
                                 "seconds": round(self.last_duration, 3),
                                 "capture_ms": round((self.last_capture or 0.0) * 1000, 1)}})

    async def _save_off_the_loop(self) -> int:
        started = time.monotonic()
        if self.fork and self.emulator.background:
            size = await self._save_in_a_child()
        else:
            with collector_paused():
                data = encode_document(self._document(), self._compressed)
            self.last_capture = time.monotonic() - started
            try:
                await asyncio.to_thread(self.target.write, data)
            except OSError as error:
                raise self._failed(error) from None
            size = len(data)
        self._measured(started, size)
        return size

    async def _save_in_a_child(self) -> int:
        reader, writer = os.pipe()
        forking = time.monotonic()
        with warnings.catch_warnings():
            # Python 3.12 warns about forking a process with threads: the child runs only
            # the code below (no locks, no imports, no logging) and leaves with os._exit.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; its work is checked through the file
            os.close(reader)
            _child_saves(self, writer)
        self.last_capture = time.monotonic() - forking
        os.close(writer)
        self._child, self._child_gone = pid, threading.Event()
        try:
            report = await asyncio.to_thread(_wait_for_child, pid, reader, self._child_gone)
        finally:
            self._child = None
        if report.startswith("ok "):
            _, size, in_place = report.split(" ")
            self.target.in_place = self.target.in_place or in_place == "1"
            return int(size)
        raise StateFileError(report.removeprefix("error ") if report
                             else f"cannot write the state file {self.path}: the saving "
                                  "process was stopped")

    def _supersede_child(self) -> None:
        pid = self._child
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        self._child_gone.wait(5.0)
        remove_stale_temporaries(self.target.real)


def _child_saves(saver: Saver, writer: int) -> None:  # pragma: no cover - runs in the child
    """Encode and write the image this process holds; report `ok <bytes> <in place>` or
    `error <message>` on `writer`, then leave at once (no clean-up of the parent's objects)."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is for the parent
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
        gc.disable()
        try:
            data = encode_document(saver._document(), saver._compressed)
            saver.target.write(data)
            report = f"ok {len(data)} {int(saver.target.in_place)}"
            status = 0
        except OSError as error:
            report = f"error {saver._failed(error)}"
        except BaseException as error:  # reported, not raised: the child has no one to tell
            report = f"error cannot save the state file {saver.path}: {error!r}"
        os.write(writer, report.encode("utf-8", "replace"))
    finally:
        os._exit(status)


def _wait_for_child(pid: int, reader: int, gone: threading.Event) -> str:
    chunks = []
    try:
        while chunk := os.read(reader, 65536):
            chunks.append(chunk)
    finally:
        os.close(reader)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        gone.set()
    return b"".join(chunks).decode("utf-8", "replace")
