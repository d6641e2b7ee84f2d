"""Password hashing for the web layer (werkzeug's scrypt/pbkdf2); the engine never sees a password."""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    """A salted hash to store."""
    return generate_password_hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches `stored_hash`."""
    return check_password_hash(stored_hash, password)
