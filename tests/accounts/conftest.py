"""The account tests use the same isolated clients as the sign-in tests."""
from ..auth.conftest import _empty_g, client, csrf_client, other_client  # noqa: F401
