"""The state file (`--state-file`): the running emulator saved to one JSON file and restored from
it, so a local emulator keeps everything a client can observe across a restart.

Only the error and `prepare_target` load with the package: the rest (the saver, the codecs,
gzip) loads on first use, so an emulator without a state file never imports it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from emulator.statefile.target import StateFileError, prepare_target

if TYPE_CHECKING:
    from emulator.statefile.persist import load_state, save_state
    from emulator.statefile.saver import Saver
    from emulator.statefile.snapshot import FORMAT_VERSION

__all__ = ["FORMAT_VERSION", "Saver", "StateFileError", "load_state", "prepare_target",
           "save_state"]

# Where each name loaded on first use lives.
_HOMES = {
    "FORMAT_VERSION": "emulator.statefile.snapshot",
    "Saver": "emulator.statefile.saver",
    "load_state": "emulator.statefile.persist",
    "save_state": "emulator.statefile.persist",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'emulator.statefile' has no attribute {name!r}")
