"""Process administration: model, upload, validate, version, publish and migrate BPMN, DMN and forms."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint('modeler', __name__, url_prefix='/admin/processes', template_folder='templates')


def init_app(app):
    """Register the blueprint and its navigation entries (see app/nav.py)."""
    app.register_blueprint(bp)
