"""The enforcement case through the real routes: each separation-of-duties rule refused with 403 and
the database unchanged, and a step the law forbids refused on its field with 422.

Earlier steps are driven through the engine on past days (the order's 30 days must have run), the
step under test over HTTP today.
"""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from workflows import runtime
from workflows.actors import Actor
from workflows.models import Role, User
from workflows.processes import enforcement as enf
from workflows.processes.enforcement import demo

from .test_withdrawal_http import ready_task

T0 = date.today() - timedelta(days=80)


def _at(day):
    return datetime(day.year, day.month, day.day, 2, 0)


def _fields(form: dict) -> dict:
    return {k: ('true' if v else 'false') if isinstance(v, bool) else str(v) for k, v in form.items()}


def _dated(steps):
    """The standard steps with their dates moved to T0."""
    day = T0.isoformat()
    return [(s, u, {**f, **{k: day for k in ('collected_on', 'interview_on') if k in f}}) for s, u, f in steps]


REPEAT = {'credit_code': '91310000MA1FL00004'}     # penalised before: serious, 35,000–50,000, a hearing offered
HEARING = [('legal_review', 'legal', {**demo.LEGAL[0][2], 'intended_fine': 50000})] + demo.NOTICE + [
    ('statement', 'officer', {**demo.NO_STATEMENT[0][2], 'revised_fine': 50000, 'hearing_requested': True,
                              'hearing_requested_on': (T0 + timedelta(days=41)).isoformat()})]

# step under test -> (steps before it on day offsets, who tries it, the role granted to them)
SOD = {
    'approve_filing': ([], 'officer', 'approver'),                       # the registering officer
    'investigate_cosign': ([(0, demo.FILE + demo.INVESTIGATE[:3])], 'officer', None),   # the lead investigator
    'legal_review': ([(0, demo.FILE + demo.INVESTIGATE + demo.ORDER), (40, demo.NOT_COMPLIED)], 'officer2', 'legal'),
    'schedule_hearing': ([(0, demo.FILE + demo.INVESTIGATE + demo.ORDER), (40, demo.NOT_COMPLIED), (41, HEARING)],
                         'officer', 'hearing'),
    'decide': ([(0, demo.FILE + demo.INVESTIGATE + demo.ORDER), (40, demo.NOT_COMPLIED),
                (41, [(s, u, {**f, 'hearing_requested': False} if s == 'statement' else f) for s, u, f in HEARING])],
               'officer2', 'director'),
}


@pytest.fixture
def case(session_factory):
    """A function: register the standard lead on T0 and run `plan`; returns the case id."""
    def make(plan, **changes):
        with session_factory() as session:
            enf.add_demo_employers(session)
            users = {u.username: u for u in session.scalars(select(User))}
            lead = {**enf.STANDARD_LEAD, 'discovered_on': T0.isoformat(), **changes}
            instance = runtime.start_instance(session, 'enforcement', lead, Actor(users['officer'], _at(T0)))
            for offset, steps in plan:
                enf.advance(session, instance, _dated(steps), users, _at(T0 + timedelta(days=offset)))
            session.commit()
            return instance.id
    return make


def _grant(session_factory, username, role):
    with session_factory() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        user.roles.append(s.get(Role, role))
        s.commit()


@pytest.mark.parametrize('step', list(SOD))
def test_separation_of_duties_is_403_and_changes_nothing(login, session_factory, snapshot, case, step):
    plan, username, role = SOD[step]
    case_id = case(plan, **REPEAT) if step in ('schedule_hearing', 'decide') else case(plan)
    if role:
        _grant(session_factory, username, role)
    task_id = ready_task(session_factory, case_id, step)
    form = next(f for s, _u, f in demo.FILE + demo.INVESTIGATE + demo.LEGAL + demo.DECIDE if s == step) \
        if step != 'schedule_hearing' else {'hearing_on': (date.today() + timedelta(days=30)).isoformat(),
                                            'hearing_place': '听证室'}
    client = login(username)
    before = snapshot()
    r = client.post(f'/tasks/{task_id}/claim')
    assert r.status_code == 403 and '职责分离' in r.text
    r = client.post(f'/tasks/{task_id}', data=_fields(form))
    assert r.status_code == 403
    assert snapshot() == before


def test_a_hearing_noticed_less_than_7_working_days_ahead_is_422_on_its_field(login, session_factory, snapshot, case):
    case_id = case(SOD['schedule_hearing'][0], **REPEAT)
    task_id, hearing = ready_task(session_factory, case_id, 'schedule_hearing'), login('hearing')
    before = snapshot()
    r = hearing.post(f'/tasks/{task_id}', data={'hearing_on': (date.today() + timedelta(days=2)).isoformat(),
                                                         'hearing_place': '听证室'})
    assert r.status_code == 422 and 'data-error-for="hearing_on"' in r.text
    assert snapshot() == before


def test_registering_a_lead_over_http_and_an_unknown_employer(login, session_factory, snapshot):
    with session_factory() as session:
        enf.add_demo_employers(session)
        session.commit()
    officer = login('officer')
    before = snapshot()
    r = officer.post('/cases/new/enforcement', data=_fields({**enf.STANDARD_LEAD, 'credit_code': '91310000MA1FL99999',
                                                             'discovered_on': date.today().isoformat()}))
    assert r.status_code == 422 and 'data-error-for="credit_code"' in r.text
    assert snapshot() == before
    r = officer.post('/cases/new/enforcement', data=_fields({**enf.STANDARD_LEAD, 'discovered_on': date.today().isoformat()}))
    assert r.status_code == 302
    page = officer.get(r.headers['Location']).text
    assert '上海某某贸易有限公司' in page and '作出处罚决定期限' not in page   # the 90 days start at filing
