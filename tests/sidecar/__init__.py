"""The emulator as a CI sidecar: image, settings, health, logs, timeouts, shutdown."""
