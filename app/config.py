"""Configuration: safe defaults, then instance/config.py, then environment variables. One place."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

DEFAULTS = {
    'SQLALCHEMY_ECHO': False,
    'BABEL_DEFAULT_LOCALE': 'zh',
    'BABEL_DEFAULT_TIMEZONE': 'Asia/Shanghai',
    'LANGUAGES': ('zh', 'en'),
    'PAGE_SIZE': 20,
    'SESSION_COOKIE_HTTPONLY': True,
    'SESSION_COOKIE_SAMESITE': 'Lax',
    'WTF_CSRF_TIME_LIMIT': 8 * 3600,
    # Largest request body accepted (413 above it). Forms are small; uploads raise it (security.body_limit).
    'MAX_CONTENT_LENGTH': 2 * 1024 * 1024,
    'ATTACHMENT_MAX_BYTES': 5 * 1024 * 1024,   # one scanned material (the upload route raises its request limit)
    # Model code budget: per evaluation (a condition, script, DMN entry, timer) and per change.
    'MODEL_CPU_SECONDS': 2.0,
    'MODEL_MEMORY_MB': 256,
    'MODEL_RUN_STEPS': 5_000,
    'MODEL_RUN_SECONDS': 5.0,
    # E-mail copies of notifications, sent by the worker (off by default; users opt in with an address).
    'MAIL_ENABLED': False,
    'MAIL_SERVER': 'localhost',
    'MAIL_PORT': 25,
    'MAIL_SENDER': 'gjj-flow@localhost',
    'MAIL_USERNAME': None,
    'MAIL_PASSWORD': None,
    'MAIL_STARTTLS': False,
}

ENV_KEYS = ('DATABASE_URL', 'SECRET_KEY')


def _secret_key(instance_path: Path) -> str:
    """A key shared by every app process on this host: kept in the instance folder, not in memory.

    Created with O_EXCL so that workers starting together agree on one key.
    """
    path = instance_path / 'secret_key'
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, 'w') as f:
            f.write(secrets.token_hex(32))
    for _ in range(50):  # another worker may have created the file but not yet written it
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f'{path} is empty: delete it and restart')


def apply_model_budget(config):
    """Hand the model-code budget settings to the engine (one process, one budget)."""
    from workflows import change, scripting
    scripting.set_budget(config['MODEL_CPU_SECONDS'], config['MODEL_MEMORY_MB'])
    change.set_run_budget(config['MODEL_RUN_STEPS'], config['MODEL_RUN_SECONDS'])


def load(app, test_config=None):
    """Fill app.config in order: defaults, instance/config.py, environment, test overrides."""
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(DEFAULTS)
    app.config['DATABASE_URL'] = f'sqlite:///{instance_path / "gjj-flow.sqlite"}'
    app.config.from_pyfile('config.py', silent=True)
    for key in ENV_KEYS:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if test_config:
        app.config.update(test_config)
    if not app.config.get('SECRET_KEY'):
        app.config['SECRET_KEY'] = _secret_key(instance_path)
    apply_model_budget(app.config)
