"""invent-emulator: a local, in-memory emulator of the Invent Broadcasts HTTP API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("invent-emulator")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"

from emulator.app import create_app
from emulator.settings import Settings

__all__ = ["Settings", "__version__", "create_app"]
