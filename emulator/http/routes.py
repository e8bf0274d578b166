"""The whole HTTP surface: every resource module's operations, the route table made from them
and the path table requests are routed by. The public API first, then the control surface, the
inbox UI and the API description."""

from __future__ import annotations

from emulator.http import (
    broadcasts,
    contacts,
    control,
    events,
    explorer,
    inbox,
    inspection,
    orgcontrol,
    recipients,
    segments,
    ui,
)
from emulator.http.dispatch import PathTable
from emulator.http.operation import Operation, routes_of

# Public operations first (stable: each group keeps its declaration order).
OPERATION_LIST: tuple[Operation, ...] = tuple(sorted((
    *broadcasts.OPERATIONS, *recipients.OPERATIONS, *contacts.OPERATIONS, *segments.OPERATIONS,
    *control.OPERATIONS, *inspection.OPERATIONS, *events.OPERATIONS, *orgcontrol.OPERATIONS,
    *inbox.OPERATIONS, *ui.OPERATIONS, *explorer.OPERATIONS,
), key=lambda operation: not operation.public))
# Keyed by (method, path template): what the self-contract looks an answer's operation up by.
OPERATIONS: dict[tuple[str, str], Operation] = {
    (operation.method, operation.path): operation for operation in OPERATION_LIST}
ROUTES = routes_of(OPERATION_LIST)
# What requests are routed by (http/dispatch.py): made once, it holds the routes themselves.
PATH_TABLE = PathTable(ROUTES)
