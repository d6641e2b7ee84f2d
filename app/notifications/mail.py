"""E-mail for notifications: the SMTP settings from the app's config, the wording in the reader's language.

Off unless MAIL_ENABLED is true. The worker (`flask … worker`) sends; request handlers never do.
"""
from __future__ import annotations

from functools import partial

from flask_babel import force_locale, gettext

from workflows import notify

from .views import describe


def _render(app, notification, user) -> tuple[str, str]:
    with app.app_context(), force_locale(user.locale or app.config['BABEL_DEFAULT_LOCALE']):
        subject = gettext('[Provident Fund Approvals] %(text)s', text=describe(notification))[:180]
        body = '\n\n'.join((gettext('Dear %(name)s,', name=user.full_name), describe(notification),
                            gettext('Open the approval system to see your notifications and tasks.')))
    return subject, body


def mailer_from_config(app):
    """An SMTP mailer built from MAIL_* config keys, or None when e-mail is off."""
    config = app.config
    if not config.get('MAIL_ENABLED'):
        return None
    settings = notify.SmtpSettings(host=config['MAIL_SERVER'], port=int(config['MAIL_PORT']),
                                   sender=config['MAIL_SENDER'], username=config.get('MAIL_USERNAME') or None,
                                   password=config.get('MAIL_PASSWORD') or None,
                                   starttls=bool(config.get('MAIL_STARTTLS')))
    return notify.SmtpMailer(settings, render=partial(_render, app))
