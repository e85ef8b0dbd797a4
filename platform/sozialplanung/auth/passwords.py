"""Argon2 password hashing with costs from the app config."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher():
    cfg = current_app.config
    key = ("argon2", cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"])
    hasher = current_app.extensions.get(key)
    if hasher is None:
        hasher = PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"],
                                memory_cost=cfg["ARGON2_MEMORY_COST"])
        current_app.extensions[key] = hasher
    return hasher


def hash_password(password):
    return _hasher().hash(password)


def verify_password(password_hash, password):
    """True if `password` matches; without a hash a dummy check keeps the timing the same."""
    hasher = _hasher()
    if not password_hash:
        _burn(hasher, password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


def _burn(hasher, password):
    # Hash once so an unknown email costs as much time as a known one (no enumeration by timing).
    hasher.hash(password or "x")
