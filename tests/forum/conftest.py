"""Fixtures of the forum tests: request isolation and the personas' `world`."""
from .support import fresh_g, world  # noqa: F401
