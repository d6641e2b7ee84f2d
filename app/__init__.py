"""gjj-flow web application (Flask). The engine layer lives in `workflows/` and never imports Flask."""
from __future__ import annotations

from flask import Flask, redirect, send_from_directory, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from . import cli, config, db, errors, facts, i18n, nav, security, templating

csrf = CSRFProtect()


def create_app(test_config=None):
    """Application factory."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters['id'] = security.RowIdConverter
    config.load(app, test_config)
    db.init_app(app)
    app.before_request(security.apply_body_limit)   # before CSRF reads the form
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    facts.init_app(app)
    cli.init_app(app)
    _register_blueprints(app)

    @app.get('/favicon.ico')
    def favicon():
        """Browsers ask for it on every site; pages link the SVG icon, older agents get this one."""
        return send_from_directory(app.static_folder, 'favicon.ico', mimetype='image/vnd.microsoft.icon',
                                   max_age=7 * 86400)

    @app.get('/')
    def index():
        """Each user lands where their work is: staff on their tasks, supervisors and administrators on
        the first page of their section, anyone else on the case list."""
        if not current_user.is_authenticated:
            return redirect(url_for('auth.login'))
        return redirect(url_for(nav.landing_endpoint(current_user.model)))

    return app


def _register_blueprints(app):
    from .auth.views import bp as auth_bp
    from .cases.views import bp as cases_bp
    from .inbox import views as inbox
    app.register_blueprint(auth_bp)
    inbox.init_app(app)
    app.register_blueprint(cases_bp)
    from .notifications import views as notifications
    from .supervision import views as supervision
    from .modeler import views as modeler
    from .admin import views as admin
    for feature in (notifications, supervision, modeler, admin):
        feature.init_app(app)
