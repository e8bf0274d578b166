"""`python3 dev.py bench`: the emulator side by side with a bare-Starlette reference app serving
the same bytes, in one bounded run on loopback (see bench/README.md)."""
