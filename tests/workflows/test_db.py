"""Database URLs in the forms people actually write."""
import pytest

from workflows.db import normalize_url


@pytest.mark.parametrize('given, expected', [
    ('postgres://u@h/db', 'postgresql+psycopg://u@h/db'),
    ('postgresql://u@h:5432/db', 'postgresql+psycopg://u@h:5432/db'),
    ('postgresql+psycopg://u@h/db', 'postgresql+psycopg://u@h/db'),
    ('sqlite:////tmp/x.db', 'sqlite:////tmp/x.db'),
])
def test_normalize_url(given, expected):
    assert normalize_url(given) == expected
