"""Entities and rules of the emulated Invent API. Imports neither starlette nor pydantic."""
