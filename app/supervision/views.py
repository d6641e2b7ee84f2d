"""Oversight for supervisors: dashboards, the heatmap, the 否定报备 register, 内审 and the 电子监察 feed."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint('supervision', __name__, url_prefix='/supervision', template_folder='templates')


def init_app(app):
    """Register the blueprint and its navigation entries (see app/nav.py)."""
    app.register_blueprint(bp)
