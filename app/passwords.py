"""Password hashing for the web layer (werkzeug's scrypt/pbkdf2); the engine never sees a password."""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from workflows.errors import N_


def hash_password(password: str) -> str:
    """A salted hash to store."""
    return generate_password_hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches `stored_hash`."""
    return check_password_hash(stored_hash, password)


MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_CLASSES = 3
CLASSES = (str.islower, str.isupper, str.isdigit)


def _classes(password: str) -> int:
    """How many of lower-case, upper-case, digits and other characters (symbols, CJK) the password uses."""
    found = {i for c in password for i, test in enumerate(CLASSES) if test(c) and c.isascii()}
    if any(not (c.isascii() and c.isalnum()) for c in password):
        found.add(len(CLASSES))
    return len(found)


def password_problems(password: str, username: str = '') -> list[tuple[str, dict]]:
    """Why `password` breaks the rules, as (English message id, params) pairs; [] if it is acceptable.

    Rules: MIN_LENGTH..MAX_LENGTH characters, at least MIN_CLASSES of the four classes (lower-case,
    upper-case, digits, other), no spaces at either end, and not containing the username.
    """
    problems = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append((N_('A password has %(min)s to %(max)s characters.'), {'min': MIN_LENGTH, 'max': MAX_LENGTH}))
    if _classes(password) < MIN_CLASSES:
        problems.append((N_('Use at least %(n)s of: lower-case letters, upper-case letters, digits, other characters.'),
                         {'n': MIN_CLASSES}))
    if password != password.strip():
        problems.append((N_('A password cannot begin or end with a space.'), {}))
    if username and username.lower() in password.lower():
        problems.append((N_('A password cannot contain the username.'), {}))
    return problems
