"""Where the state file's bytes go, decided once at start-up: symlinks followed (the target is
replaced, the link stays), stale temporary files of crashed saves removed, an unusable target
refused at once, and a file that cannot be replaced by renaming (a single-file bind mount, or a
folder the process may not write to) written in place instead.

A normal save writes a temporary file beside the target, flushes it to disk, then renames it
over the target: a crash at any moment leaves the old file or the new one, whole. Writing in
place (write from the start, flush, then cut to the new length) is not crash-atomic: a crash
mid-save can leave a damaged file, which the start-up warning and docs/reliability.md say."""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from emulator.logformat import FIELDS

log = logging.getLogger("emulator")

# Renaming onto the target failed in a way that writing in place avoids: a mount point (EBUSY),
# another file system (EXDEV).
_RENAME_IMPOSSIBLE = (errno.EBUSY, errno.EXDEV)
MOUNTINFO = Path("/proc/self/mountinfo")


class StateFileError(Exception):
    """A state file that cannot be read or written; the message names the file."""


@dataclass
class Target:
    """The state file as named (`path`), the file actually written (`real`), and how."""

    path: Path
    real: Path
    in_place: bool = False

    def write(self, data: bytes) -> None:
        """Replace the file's content with `data` (OSError when it cannot)."""
        if not self.in_place:
            try:
                _write_by_rename(self.real, data)
                return
            except OSError as error:
                if error.errno not in _RENAME_IMPOSSIBLE:
                    raise
                self.in_place = True
                log.warning("the state file %s cannot be replaced by renaming (%s): writing it "
                            "in place from now on, which a crash mid-save can damage",
                            self.path, error.strerror,
                            extra={FIELDS: {"event": "state_file_in_place"}})
        _write_in_place(self.real, data)


def temporary_prefix(real: Path) -> str:
    """Temporary files are `.<name>.<random>.tmp` beside the target (0.2.0 named them so too)."""
    return f".{real.name}."


def prepare_target(path: Path) -> Target:
    """The checked target of `path`, or StateFileError saying why it cannot be saved to."""
    real = Path(os.path.realpath(path))
    folder = real.parent
    if not folder.is_dir():
        raise StateFileError(f"the folder of the state file {path} does not exist")
    if real.is_dir():
        raise StateFileError(f"the state file {path} is a folder")
    removed = remove_stale_temporaries(real)
    if path.absolute() != real:
        removed += remove_stale_temporaries(path.absolute())
    if removed:
        log.info("removed %d temporary file(s) left by an interrupted save of %s", removed, path,
                 extra={FIELDS: {"event": "state_file_stale_removed", "count": removed}})
    folder_problem = _folder_problem(real)
    file_problem = _file_problem(real) if real.exists() else None
    mounted = is_mount_point(real)
    if (mounted or folder_problem) and real.exists() and file_problem is None:
        why = "it is a mount point" if mounted else f"its folder is not writable: {folder_problem}"
        log.warning("the state file %s is written in place (%s): a crash or kill mid-save can "
                    "leave it damaged; mount its folder rather than the file for crash-safe "
                    "saves", path, why, extra={FIELDS: {"event": "state_file_in_place"}})
        return Target(path, real, in_place=True)
    problem = file_problem or folder_problem
    if problem is not None:
        raise StateFileError(f"the state file {path} cannot be written: {problem}")
    return Target(path, real)


def remove_stale_temporaries(real: Path) -> int:
    removed = 0
    for stale in real.parent.glob(f"{_glob_escape(temporary_prefix(real))}*.tmp"):
        try:
            stale.unlink()
            removed += 1
        except OSError:
            pass  # not ours to remove, or already gone: harmless either way
    return removed


def is_mount_point(real: Path) -> bool:
    """True when `real` is itself a mount point (a single-file bind mount: renaming onto it
    fails with EBUSY). Read from /proc/self/mountinfo where there is one."""
    try:
        lines = MOUNTINFO.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return os.path.ismount(real)
    wanted = str(real)
    return any(len(parts := line.split(" ")) > 4 and _unescape(parts[4]) == wanted
               for line in lines)


def _unescape(field_text: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (`\\040`)."""
    for code in ("040", "011", "012", "134"):
        field_text = field_text.replace("\\" + code, chr(int(code, 8)))
    return field_text


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _folder_problem(real: Path) -> str | None:
    """Whether a temporary file can be made beside the target: the only sure test."""
    try:
        handle, name = tempfile.mkstemp(dir=real.parent, prefix=temporary_prefix(real),
                                        suffix=".tmp")
    except OSError as error:
        return f"{real.parent}: {error.strerror}"
    os.close(handle)
    Path(name).unlink(missing_ok=True)
    return None


def _file_problem(real: Path) -> str | None:
    try:
        descriptor = os.open(real, os.O_WRONLY)  # no O_TRUNC: nothing changes
    except OSError as error:
        return f"{real}: {error.strerror}"
    os.close(descriptor)
    return None


def _write_by_rename(real: Path, data: bytes) -> None:
    folder = real.parent
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=temporary_prefix(real), suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, real)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _write_in_place(real: Path, data: bytes) -> None:
    """Overwrite from the start, flush, then cut to the new length (a shorter file leaves no
    tail of the old one) and flush again."""
    descriptor = os.open(real, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        os.fsync(descriptor)
        os.ftruncate(descriptor, len(data))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform lets a folder be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
