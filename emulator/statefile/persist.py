"""Reading the state file into an emulator (`load_state`), and writing it now (`save_state`)."""

from __future__ import annotations

import logging
from pathlib import Path

from emulator.service import Emulator
from emulator.statefile.codec import FieldError, describe
from emulator.statefile.saver import Saver
from emulator.statefile.snapshot import load_emulator
from emulator.statefile.storage import read_document
from emulator.statefile.target import StateFileError, prepare_target
from emulator.support.clock import Clock
from emulator.support.gcpause import collector_paused
from emulator.webhooks import RowRenderer

log = logging.getLogger("emulator")


def save_state(emulator: Emulator, path: Path) -> int:
    """Write the emulator's state to `path` now, on this thread; returns the file's size."""
    return Saver(emulator, prepare_target(path)).save_now()


def load_state(path: Path, clock: Clock, render_row: RowRenderer, *,
               empty_is_new: bool = False) -> Emulator | None:
    """The emulator saved in `path`; None when there is no such file (start from the scenario),
    or, with `empty_is_new`, when it is empty (a bind-mounted file is `touch`ed before the first
    start). A file that is there but cannot be used raises StateFileError naming it and the
    problem."""
    if empty_is_new and path.exists() and path.stat().st_size == 0:
        return None
    if not path.exists():
        if not path.parent.is_dir():
            raise StateFileError(f"the folder of the state file {path} does not exist")
        return None
    document = read_document(path)
    try:
        with collector_paused():
            emulator = load_emulator(document, clock, render_row)
    except FieldError as error:
        raise StateFileError(f"the state file {path} is invalid at {error.where or 'its top'}: "
                             f"{error.problem}; fix or remove it") from None
    except RecursionError:
        raise StateFileError(f"the state file {path} is corrupt: nested too deep") from None
    except Exception as error:  # a hand edit can break any step: one clear line, no traceback
        raise StateFileError(f"the state file {path} is corrupt: {describe(error)}; fix or "
                             "remove it") from None
    log.info("restored the state from %s (%d orgs)", path, len(emulator.registry.orgs))
    return emulator
