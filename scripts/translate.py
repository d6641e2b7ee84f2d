"""Fill Chinese translations into the catalog (clears fuzzy).

    python scripts/translate.py 'English=中文' …            pairs on the command line
    python scripts/translate.py --from FILE …               pairs from files, one 'English=中文' per line

Pairs whose message is not in the catalog stop the script, unless they come from files (a file may
carry pairs for messages that have since changed: those are listed and skipped).
"""
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / 'app/translations/zh/LC_MESSAGES/messages.po'


def _pairs_from(paths):
    pairs = []
    for path in paths:
        for line in Path(path).read_text(encoding='utf-8').splitlines():
            if line.strip() and not line.startswith('#') and '=' in line:
                pairs.append(line)
    return pairs


def main(argv):
    files = [argv[i + 1] for i, arg in enumerate(argv) if arg == '--from']
    pairs = [arg for i, arg in enumerate(argv) if arg != '--from' and (i == 0 or argv[i - 1] != '--from')]
    with PO.open('rb') as f:
        catalog = read_po(f)
    from_files = dict(pair.split('=', 1) for pair in _pairs_from(files))
    wanted = {**from_files, **dict(pair.split('=', 1) for pair in pairs)}
    for message in catalog:
        if message.id in wanted:
            message.string = wanted.pop(message.id)
            message.flags.discard('fuzzy')
    stale = [m for m in wanted if m in from_files and m not in dict(p.split('=', 1) for p in pairs)]
    if stale:
        print('skipped (not in the catalog):', stale)
    missing = [m for m in wanted if m not in stale]
    if missing:
        sys.exit(f'not in the catalog: {", ".join(missing)}')
    with PO.open('wb') as f:
        write_po(f, catalog, width=120)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    print('untranslated:', untranslated or 'none')


if __name__ == '__main__':
    main(sys.argv[1:])
