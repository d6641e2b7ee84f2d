"""The demo enforcement cases wait at each stage, with real clocks; one is in a hearing, one waits for the court."""
from datetime import date

from sqlalchemy import select

from tests.workflows.test_enforcement_paths import open_steps
from workflows.models import InstanceStatus, User
from workflows.processes import enforcement as enf
from workflows.processes.enforcement.stages import add_demo_cases


def test_demo_cases_wait_at_each_stage(session):
    enf.add_demo_employers(session)
    users = {u.username: u for u in session.scalars(select(User))}
    cases = add_demo_cases(session, users, today=date(2026, 11, 20))
    session.commit()
    for stage, instance in cases.items():
        if stage.startswith('closed'):
            assert instance.status == InstanceStatus.completed
        else:
            assert open_steps(session, instance) == [stage], stage
    assert {c.outcome for s, c in cases.items() if s.startswith('closed')} == {'no_penalty', 'not_filed'}
    hearing = cases['hold_hearing'].data
    assert hearing['hearing_on'] == '2026-12-02' and hearing['intended']['hearing_offered']
    window = cases['apply_court'].data['court_window']
    assert window['opens'] > '2026-11-20' and cases['apply_court'].data['violation'] == 'pay'
