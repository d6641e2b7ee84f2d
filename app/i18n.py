"""Simplified Chinese by default, English on request (?lang=en, remembered in a cookie)."""
from __future__ import annotations

from flask import current_app, request
from flask_babel import Babel, get_locale

LANG_COOKIE = 'lang'


def select_locale():
    """?lang= wins, then the cookie, then the default (zh)."""
    languages = current_app.config['LANGUAGES']
    for candidate in (request.args.get('lang'), request.cookies.get(LANG_COOKIE)):
        if candidate in languages:
            return candidate
    return current_app.config['BABEL_DEFAULT_LOCALE']


def remember_language(response):
    """Keep an explicit ?lang= choice for later requests."""
    lang = request.args.get('lang')
    if lang in current_app.config['LANGUAGES']:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite='Lax', httponly=True)
    return response


def is_english():
    """Whether the current request speaks English (for schema labels, which carry both languages)."""
    return str(get_locale()) == 'en'


def init_app(app):
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_language)
