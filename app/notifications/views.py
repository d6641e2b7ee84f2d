"""The user's own desk beyond tasks: notifications, absences and backups (AB岗), reassigning (转办)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint('notifications', __name__, url_prefix='/me', template_folder='templates')


def init_app(app):
    """Register the blueprint and its navigation entries (see app/nav.py)."""
    app.register_blueprint(bp)
