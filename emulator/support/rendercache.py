"""Rendered JSON kept between changes: a bounded LRU of the bytes each entity (a broadcast, a
contact, a recipient row) rendered to, held outside the entities so its size is one setting.

An entry is good while its stamp still holds. The stamp is (the emulator's write count, the
org's version): the first moves with every request that may change something (any method but
GET, HEAD and OPTIONS, counted when it starts and again when it ends), the second with every
change an org makes on its own (a job's slice, a timed outcome falling due). So a contact edit
invalidates the rows that embed it, lazily: nothing is re-rendered until it is read again.
The stamp is coarse on purpose: one counter nobody can forget to bump is worth re-rendering
what did not change after a write; reads between writes, what lists and pages mostly see,
are all hits.

Caching never changes a byte: `render_cache` off (INVENT_EMULATOR_RENDER_CACHE=0,
`--no-render-cache`) renders every time, and the tests compare both ways."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

Stamp = tuple[int, int]
# Whole list answers kept beside the entities' bytes (`answer`, `keep_answer`): a recipients
# page of 100 rows is about 200 KB, so at most this many (and none with `entries` = 0).
ANSWERS = 16


class RenderCache:
    def __init__(self, entries: int) -> None:
        """At most `entries` kept (the `render_cache_size` setting; an entry is 1-2 KB for a
        recipient row, which embeds its contact)."""
        self.entries = entries
        # (kind, id(entity)) -> (stamp, entity, bytes). The entity is held so its id is not
        # reused by another object while the entry exists.
        self._kept: OrderedDict[tuple[str, int], tuple[Stamp, Any, bytes]] = OrderedDict()
        self.hits = self.misses = self.answer_hits = 0
        # (kind, id(owner), query) -> (stamp, owner, body, headers), the owner held likewise.
        self._answers: OrderedDict[tuple[str, int, bytes],
                                   tuple[Stamp, Any, bytes, dict[str, str]]] = OrderedDict()

    def bytes_of(self, kind: str, entity: Any, stamp: Stamp,
                 render: Callable[[], bytes]) -> bytes:
        """`entity` rendered as `kind`: the kept bytes while `stamp` holds, else `render()`."""
        key = (kind, id(entity))
        kept = self._kept.get(key)
        if kept is not None and kept[0] == stamp:
            self._kept.move_to_end(key)
            self.hits += 1
            return kept[2]
        self.misses += 1
        rendered = render()
        self._kept[key] = (stamp, entity, rendered)
        self._kept.move_to_end(key)
        if len(self._kept) > self.entries:
            self._kept.popitem(last=False)
        return rendered

    def all_bytes(self, kind: str, entities: Iterable[Any], stamp: Stamp,
                  render: Callable[[Any], bytes]) -> list[bytes]:
        """`bytes_of` for each of `entities` in turn (the same entries, hits and misses), in one
        loop: a page of 100 recipient rows is 100 lookups, and a call per row was most of it."""
        kept_entries = self._kept
        get, to_end = kept_entries.get, kept_entries.move_to_end
        answer: list[bytes] = []
        hits = 0
        for entity in entities:
            key = (kind, id(entity))
            kept = get(key)
            if kept is not None and kept[0] == stamp:
                to_end(key)
                hits += 1
                answer.append(kept[2])
            else:
                answer.append(self.bytes_of(kind, entity, stamp, partial(render, entity)))
        self.hits += hits
        return answer

    def answer(self, kind: str, owner: Any, query: bytes,
               stamp: Stamp) -> tuple[bytes, dict[str, str]] | None:
        """The kept answer (body, headers) of the list `kind` of `owner` for the query string
        `query`, while `stamp` holds; None when there is none."""
        key = (kind, id(owner), query)
        kept = self._answers.get(key)
        if kept is None or kept[0] != stamp:
            return None
        self._answers.move_to_end(key)
        self.answer_hits += 1
        return kept[2], kept[3]

    def keep_answer(self, kind: str, owner: Any, query: bytes, stamp: Stamp, body: bytes,
                    headers: dict[str, str]) -> None:
        if self.entries <= 0:
            return
        key = (kind, id(owner), query)
        self._answers[key] = (stamp, owner, body, headers)
        self._answers.move_to_end(key)
        if len(self._answers) > ANSWERS:
            self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
