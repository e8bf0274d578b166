"""Scenario files: hardened YAML loading, the schema, checks, and building the in-memory state."""
