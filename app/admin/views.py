"""Administration of the center: users, roles, teams, the calendar, settings and case operations."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint('admin', __name__, url_prefix='/admin', template_folder='templates')


def init_app(app):
    """Register the blueprint and its navigation entries (see app/nav.py)."""
    app.register_blueprint(bp)
