"""The package's version, for `--version`, User-Agent headers and the API description.

Written here rather than read from the installed package's metadata: importing
importlib.metadata costs tens of milliseconds at every start. A test keeps it equal to
pyproject.toml's."""

from __future__ import annotations

__version__ = "0.2.0"
