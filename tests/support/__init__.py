"""Code the tests share: clients and helpers per area, scenario snippets, and the wire facts
(keys, flags, envelope) every area asserts. Importable as `support` (pyproject sets pythonpath)."""
