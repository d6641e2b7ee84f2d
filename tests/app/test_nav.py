"""The side navigation lists the entries blueprints register, each only to the users it is meant for."""
import re

from flask import Blueprint
from flask_babel import lazy_gettext

from app import nav

from .test_withdrawal_http import ready_task, register


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


def _badges(html):
    """The count next to each work entry of the side navigation (0 when none is shown)."""
    found = dict(re.findall(r'href="(/tasks/(?:queue)?)"><i class="bi bi-[a-z0-9-]+"></i> [^<]*'
                            r'(?:<span class="badge[^"]*">(\d+)</span>)?', html))
    return {url: int(n or 0) for url, n in found.items()}


def test_my_tasks_and_the_task_pool_show_their_counts(login, session_factory):
    clerk, reviewer = login('clerk'), login('reviewer')
    before = _badges(reviewer.get('/cases/').text)
    case_id = register(clerk)
    clerk.post(f'/tasks/{ready_task(session_factory, case_id, "accept")}', data={'materials_complete': 'true'})
    review = ready_task(session_factory, case_id, 'review')
    assert _badges(reviewer.get('/cases/').text) == {'/tasks/': before['/tasks/'], '/tasks/queue': before['/tasks/queue'] + 1}
    pool = reviewer.get('/tasks/queue').text
    assert f"共 {before['/tasks/queue'] + 1} 条" in pool   # the list agrees
    reviewer.post(f'/tasks/{review}/claim')
    assert _badges(reviewer.get('/cases/').text) == {'/tasks/': before['/tasks/'] + 1, '/tasks/queue': before['/tasks/queue']}


def test_oversight_and_admin_see_no_task_entries(login):
    for user in ('supervisor', 'admin'):
        html = login(user).get('/cases/').text
        assert 'href="/tasks/"' not in html and 'href="/tasks/queue"' not in html
