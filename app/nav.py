"""The side navigation: each blueprint registers its own entries, the base template lists them.

An entry is shown to a user when `visible(user)` is true; `badge(user)`, if given, returns a number
shown next to the label (0 hides it). Registering from the blueprint that owns the page keeps the
base template free of feature knowledge.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app, request
from flask_login import current_user

from workflows.permissions import may_act_on_business


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object                      # a lazy_gettext string, rendered per request (the locale may differ)
    icon: str                          # a Bootstrap Icons name without the "bi-" prefix
    section: str                       # 'work', 'oversight' or 'admin': groups entries under a heading
    visible: Callable[[object], bool]
    badge: Callable[[object], int] | None = None
    order: int = 100


SECTIONS = ('work', 'oversight', 'admin')


def register(app, item: NavItem) -> None:
    """Add `item` to the app's navigation (call from the blueprint's `init_app`/registration)."""
    app.extensions.setdefault('gjj_nav', []).append(item)


def items_for(user, section: str) -> list[dict]:
    """The entries of `section` visible to `user`, ready for the template."""
    entries = sorted((i for i in current_app.extensions.get('gjj_nav', ()) if i.section == section),
                     key=lambda i: (i.order, i.endpoint))
    endpoint = request.endpoint or ''
    shown = []
    for item in entries:
        if not item.visible(user):
            continue
        shown.append({'endpoint': item.endpoint, 'label': str(item.label), 'icon': item.icon,
                      'active': endpoint == item.endpoint,
                      'badge': item.badge(user) if item.badge else 0})
    return shown


def nav_items(section: str) -> list[dict]:
    """Template helper: the current user's entries of `section`."""
    if not current_user.is_authenticated:
        return []
    return items_for(current_user.model, section)


def landing_endpoint(user) -> str:
    """Where `user` starts: business staff on their tasks; others on the first oversight or admin
    page they may use; anyone else on the case list."""
    if may_act_on_business(user):
        return 'inbox.mine'
    for section in ('oversight', 'admin'):
        entries = sorted((i for i in current_app.extensions.get('gjj_nav', ()) if i.section == section),
                         key=lambda i: (i.order, i.endpoint))
        for item in entries:
            if item.visible(user):
                return item.endpoint
    return 'cases.index'
