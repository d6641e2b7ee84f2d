"""Fill Chinese translations into the catalog: `python scripts/translate.py 'English=中文' …` (clears fuzzy)."""
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / 'app/translations/zh/LC_MESSAGES/messages.po'


def main(pairs):
    with PO.open('rb') as f:
        catalog = read_po(f)
    wanted = dict(pair.split('=', 1) for pair in pairs)
    for message in catalog:
        if message.id in wanted:
            message.string = wanted.pop(message.id)
            message.flags.discard('fuzzy')
    if wanted:
        sys.exit(f'not in the catalog: {", ".join(wanted)}')
    with PO.open('wb') as f:
        write_po(f, catalog, width=120)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    print('untranslated:', untranslated or 'none')


if __name__ == '__main__':
    main(sys.argv[1:])
