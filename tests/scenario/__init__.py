"""Scenario file loading: errors, hostile YAML, deterministic ids."""
