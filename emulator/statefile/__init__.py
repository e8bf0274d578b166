"""The state file (`--state-file`): the running emulator saved to one JSON file and restored from
it, so a local emulator keeps everything a client can observe across a restart.

Only the error and `prepare_target` load with the package: the rest (the saver, the codecs,
gzip) loads on first use, so an emulator without a state file never imports it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.statefile.target import StateFileError, prepare_target
from emulator.support.lazynames import lazy_names

if TYPE_CHECKING:
    from emulator.statefile.persist import load_state, save_state
    from emulator.statefile.saver import Saver
    from emulator.statefile.snapshot import FORMAT_VERSION

__all__ = ["FORMAT_VERSION", "Saver", "StateFileError", "load_state", "prepare_target",
           "save_state"]

__getattr__ = lazy_names(__name__, {
    "FORMAT_VERSION": "emulator.statefile.snapshot",
    "Saver": "emulator.statefile.saver",
    "load_state": "emulator.statefile.persist",
    "save_state": "emulator.statefile.persist",
})
