"""The group tests share the forum tests' personas and request isolation."""
from ..forum.support import fresh_g, world  # noqa: F401
