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
    heap = SettledHeap(enabled=True, release_at=0)
    node = Node()
    gone = weakref.ref(node)
    heap.settle()
    assert gc.get_freeze_count() > 0
    del node
    gc.collect()
    assert gone() is not None  # frozen: no collection sees the cycle
    heap.release(0)
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None


def test_nothing_is_frozen_again_before_a_full_collection_ran() -> None:
    heap = SettledHeap(enabled=True, release_at=0)
    heap.settle()
    heap.release(0)
    heap.settle()  # the released garbage would be frozen again
    assert gc.get_freeze_count() == 0
    gc.collect()
    heap.settle()
    assert gc.get_freeze_count() > 0


def test_garbage_frozen_with_the_heap_is_reclaimed_at_the_next_refresh() -> None:
    heap = SettledHeap(enabled=True)
    node = Node()
    gone = weakref.ref(node)
    heap.settle()
    del node  # garbage now, but frozen: a request in flight at the freeze ends like this
    for _ in range(SettledHeap.REFRESH_EVERY - 2):
        heap.settle()
    assert gone() is not None
    heap.settle()  # the REFRESH_EVERY-th: a full collection before it freezes again
    assert gone() is None
    assert gc.get_freeze_count() > 0


@pytest.mark.anyio
@pytest.mark.parametrize(("release_at", "thawed"), [(0, True), (10_000, False)])
async def test_deleting_a_heavy_org_gives_the_heap_back_to_the_collector(
        release_at: int, thawed: bool) -> None:
    """An org lighter than `release_at` (an empty one here) is not worth thawing the heap."""
    app = create_app(clock=VirtualClock(START))
    emulator: Emulator = app.state.emulator
    emulator.heap = SettledHeap(enabled=True, release_at=release_at)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://emulator.test") as http:
        made = (await http.post("/_emulator/orgs", json={})).json()
        emulator.heap.settle()
        assert (await http.delete("/_emulator/orgs/org_nope")).status_code == 404
        assert gc.get_freeze_count() > 0  # a refused delete released nothing
        assert (await http.delete(f"/_emulator/orgs/{made['id']}")).status_code == 200
    assert (gc.get_freeze_count() == 0) is thawed
