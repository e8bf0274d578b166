"""The installed package's version, for `--version`, User-Agent headers and the docs."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("invent-emulator")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
