"""The invent-emulator command line, run as a subprocess."""
