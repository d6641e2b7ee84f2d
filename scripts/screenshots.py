"""Screenshots of the main pages as the demo users see them (for reviewing a change by eye).

    .venv/bin/python scripts/screenshots.py OUT_DIR [--lang zh|en]

Builds a fresh demo database (as `init-db --demo` does) in a temporary folder, serves it on a free
local port and saves PNGs of the task lists, a task page, the case list and case pages at 1366 px
wide. Needs Debian's chromium and, for Chinese text, fonts-noto-cjk.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.passwords import hash_password  # noqa: E402
from workflows import schema, seed  # noqa: E402
from workflows.db import make_engine, make_session_factory  # noqa: E402

PAGES = [  # (user, path or callable, file name)
    ('clerk', '/tasks/queue', 'clerk-pool'),
    ('clerk', '/cases/new/withdrawal', 'clerk-register'),
    ('reviewer', '/tasks/queue', 'reviewer-pool'),
    ('supervisor', '/cases/', 'supervisor-cases'),
]


def _demo_database(folder: Path) -> str:
    url = f'sqlite:///{folder / "demo.db"}'
    engine = make_engine(url)
    schema.upgrade(engine)
    with make_session_factory(engine)() as session:
        seed.seed_reference(session)
        seed.seed_demo(session, hash_password(seed.DEMO_PASSWORD))
        seed.deploy_models(session)
        seed.seed_demo_cases(session)
        session.commit()
    engine.dispose()
    return url


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('out', type=Path)
    parser.add_argument('--lang', default='zh')
    parser.add_argument('--page', action='append', default=[], metavar='USER:PATH:NAME',
                        help='shoot only these pages (repeatable), e.g. supervisor:/cases/3:case-3')
    args = parser.parse_args(argv)
    only = [tuple(spec.split(':', 2)) for spec in args.page]
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({'SECRET_KEY': 'screenshots', 'DATABASE_URL': _demo_database(Path(tmp))})
        httpd = make_server('127.0.0.1', 0, app, threaded=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f'http://127.0.0.1:{httpd.server_port}'
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path='/usr/bin/chromium', headless=True,
                                        args=['--no-sandbox', '--disable-gpu', '--disable-background-networking'])
            pages = {}
            for user in sorted({u for u, _, _ in only or PAGES} | ({'supervisor', 'clerk'} if not only else set())):
                page = browser.new_page(viewport={'width': 1366, 'height': 768})
                page.goto(f'{base}/auth/login?lang={args.lang}')
                page.fill('#username', user)
                page.fill('#password', seed.DEMO_PASSWORD)
                page.click('button[type=submit]')
                page.wait_for_load_state()
                pages[user] = page
            for user, path, name in only:
                pages[user].goto(base + path)
                pages[user].wait_for_load_state('networkidle')
                pages[user].screenshot(path=str(args.out / f'{name}.png'), full_page=True)
            if only:
                browser.close()
                httpd.shutdown()
                print(f'screenshots in {args.out}')
                return
            for user, path, name in PAGES:
                pages[user].goto(base + path)
                pages[user].screenshot(path=str(args.out / f'{name}.png'), full_page=True)
            supervisor = pages['supervisor']
            for case_id in (1, 2, 3, 4, 5, 8, 12, 20):
                supervisor.goto(f'{base}/cases/{case_id}')
                supervisor.wait_for_selector('#diagram[data-state=ready]', timeout=15000)
                supervisor.screenshot(path=str(args.out / f'case-{case_id}.png'), full_page=True)
            clerk = pages['clerk']
            clerk.goto(f'{base}/tasks/queue')
            clerk.locator('#task-list a', has_text='办理' if args.lang == 'zh' else 'Open').first.click()
            clerk.wait_for_selector('#task-form, #not-workable')
            clerk.screenshot(path=str(args.out / 'clerk-task.png'), full_page=True)
            browser.close()
        httpd.shutdown()
    print(f'screenshots in {args.out}')


if __name__ == '__main__':
    main()
