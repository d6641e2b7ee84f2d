"""Headless Chromium against the real app on a local port: the browser, a server helper, logging in."""
import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from app import create_app
from workflows.db import make_engine, make_session_factory
from workflows.seed import DEMO_PASSWORD

CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')


@contextmanager
def serve(database_path):
    """The app on a free local port over the SQLite file at `database_path`; yields its base URL."""
    app = create_app({'SECRET_KEY': 'browser-test', 'DATABASE_URL': f'sqlite:///{database_path}'})
    httpd = make_server('127.0.0.1', 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f'http://127.0.0.1:{httpd.server_port}'
    finally:
        httpd.shutdown()
        app.extensions['gjj_engine'].dispose()


@contextmanager
def serve_copy(template, folder, prepare=None):
    """The app over a copy of the seeded SQLite `template` in `folder`, after `prepare(session)` (then
    committed) adds what a test module needs; yields its base URL."""
    shutil.copy(template, folder / 'gjj.db')
    if prepare is not None:
        engine = make_engine(f'sqlite:///{folder / "gjj.db"}')
        with make_session_factory(engine)() as session:
            prepare(session)
            session.commit()
        engine.dispose()
    with serve(folder / 'gjj.db') as url:
        yield url


@pytest.fixture(scope='module')
def browser():
    from playwright.sync_api import sync_playwright
    assert os.path.exists(CHROMIUM), f'headless Chromium is required at {CHROMIUM} (apt-get install chromium)'
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=['--no-sandbox', '--disable-gpu', '--disable-background-networking'])
        yield browser
        browser.close()


def login(browser, server, username, accept_dialogs=True):
    """A new 1366×768 page logged in as a demo user, on its landing page (tasks, or its section's first page).

    The page answers "OK" to every confirmation (a final decision asks for one) unless `accept_dialogs`
    is false, when the test handles them itself.
    """
    page = browser.new_page(viewport={'width': 1366, 'height': 768})
    if accept_dialogs:
        page.on('dialog', lambda dialog: dialog.accept())
    page.set_default_timeout(15000)
    page.goto(f'{server}/auth/login')
    page.fill('#username', username)
    page.fill('#password', DEMO_PASSWORD)
    page.click('button[type=submit]')
    page.wait_for_url(lambda url: url.startswith(server) and '/auth/login' not in url)
    return page


def open_from_pool(page, server, case_key):
    """Claim the case's task from the role's pool and land on its form."""
    page.goto(f'{server}/tasks/queue')
    row = page.locator('#task-list tr', has_text=case_key)
    row.get_by_role('button', name='签收').click()
    page.wait_for_selector('#task-form')
