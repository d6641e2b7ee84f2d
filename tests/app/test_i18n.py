"""Every user-facing string in the code and templates has a Simplified Chinese translation."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [('**.py', 'python'), ('**/templates/**.html', 'jinja2')]
KEYWORDS = {**DEFAULT_KEYWORDS, 'N_': None, 'lazy_gettext': None}


def _extracted():
    ids = set()
    for folder in ('app', 'workflows'):
        for _file, _line, message, _comments, _ctx in extract_from_dir(ROOT / folder, METHODS, keywords=KEYWORDS):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_message_is_translated_to_chinese():
    with open(ROOT / 'app/translations/zh/LC_MESSAGES/messages.po', 'rb') as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    extracted = _extracted()
    assert len(extracted) > 100, 'extraction found almost nothing: the check would be vacuous'
    missing = sorted(extracted - translated)
    assert missing == [], 'run pybabel extract/update and translate: ' + ', '.join(missing)
