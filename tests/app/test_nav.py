"""The side navigation lists the entries blueprints register, each only to the users it is meant for."""
from flask import Blueprint
from flask_babel import lazy_gettext

from app import nav


def _add_page(app):
    bp = Blueprint('probe', __name__)
    bp.add_url_rule('/probe', 'page', lambda: 'ok')
    app.register_blueprint(bp)
    nav.register(app, nav.NavItem('probe.page', lazy_gettext('Oversight'), 'eye', 'oversight',
                                  visible=lambda user: 'supervisor' in user.role_codes,
                                  badge=lambda user: 3))


def test_registered_entry_shows_with_its_badge_to_whom_it_is_meant(app, login):
    _add_page(app)
    html = login('supervisor').get('/cases/').get_data(as_text=True)
    assert 'href="/probe"' in html
    assert '<span class="badge rounded-pill text-bg-danger">3</span>' in html


def test_registered_entry_is_hidden_from_others(app, login):
    _add_page(app)
    html = login('clerk').get('/cases/').get_data(as_text=True)
    assert 'href="/probe"' not in html


def test_staff_land_on_their_tasks(login):
    assert login('clerk').get('/').headers['Location'].endswith('/tasks/')


def test_others_land_on_the_first_page_of_their_section(login):
    assert login('supervisor').get('/').headers['Location'] == '/supervision/'   # not an empty 我的待办
    assert login('admin').get('/').headers['Location'].startswith('/admin')
