"""The HTTP layer: routes, request parsing, rendering, and the emulator's control surface."""
