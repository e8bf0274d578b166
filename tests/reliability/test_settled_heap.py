"""A served emulator keeps what it holds out of the collector's full passes (`SettledHeap`,
emulator/support/gcpause.py), and gives an org it replaces or removes back to the collector,
so nothing it lets go of stays alive."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import httpx
import pytest
from support.wire import START

from emulator import create_app
from emulator.service import Emulator
from emulator.support.gcpause import SettledHeap
from emulator.testing import VirtualClock


class Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_off_by_default_it_freezes_nothing() -> None:
    SettledHeap().settle()
    assert gc.get_freeze_count() == 0


def test_settled_objects_are_frozen_and_released_ones_collectable() -> None:
    heap = SettledHeap(enabled=True)
    node = Node()
    gone = weakref.ref(node)
    heap.settle()
    assert gc.get_freeze_count() > 0
    del node
    gc.collect()
    assert gone() is not None  # frozen: no collection sees the cycle
    heap.release()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None


def test_nothing_is_frozen_again_before_a_full_collection_ran() -> None:
    heap = SettledHeap(enabled=True)
    heap.settle()
    heap.release()
    heap.settle()  # the released garbage would be frozen again
    assert gc.get_freeze_count() == 0
    gc.collect()
    heap.settle()
    assert gc.get_freeze_count() > 0


@pytest.mark.anyio
async def test_deleting_an_org_gives_the_heap_back_to_the_collector() -> None:
    app = create_app(clock=VirtualClock(START))
    emulator: Emulator = app.state.emulator
    emulator.heap = SettledHeap(enabled=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://emulator.test") as http:
        made = (await http.post("/_emulator/orgs", json={})).json()
        emulator.heap.settle()
        assert gc.get_freeze_count() > 0
        assert (await http.delete(f"/_emulator/orgs/{made['id']}")).status_code == 200
    assert gc.get_freeze_count() == 0
