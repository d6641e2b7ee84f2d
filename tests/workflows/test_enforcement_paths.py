"""Every way through the enforcement case, driven through the engine on a real database.

The standard lead (workflows/processes/enforcement/demo.py): 上海某某贸易有限公司 has not opened
accounts for 45 employees since 1 March 2025; the complaint is registered on Monday 1 June 2026.
"""
import re
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from sqlalchemy import select

from workflows import runtime
from workflows.actors import Actor
from workflows.errors import FormInvalid, NotAllowed, OperationRefused
from workflows.models import (CaseClock, CaseParty, ClockState, EmployerPenalty, EvidenceItem, HumanTask,
                              InstanceStatus, Setting, TaskState, User)
from workflows.processes import enforcement as enf
from workflows.processes.enforcement import demo

AT = datetime(2026, 6, 1, 2, 0)     # Monday 1 June 2026, 10:00 in Shanghai


def on(day: date) -> datetime:
    """10:00 in Shanghai on `day`, as the naive UTC the engine stores."""
    return datetime(day.year, day.month, day.day, 2, 0)


@pytest.fixture(autouse=True)
def _employers(session):
    enf.add_demo_employers(session)
    session.commit()


def users(session):
    return {u.username: u for u in session.scalars(select(User))}


def register(session, at=AT, username='officer', **changes):
    lead = {**enf.STANDARD_LEAD, **changes}
    instance = runtime.start_instance(session, 'enforcement', {k: v for k, v in lead.items() if v is not None},
                                      Actor(users(session)[username], at))
    session.commit()
    return instance


def run(session, instance, steps, at=AT):
    enf.advance(session, instance, steps, users(session), at)
    session.commit()


def open_steps(session, instance):
    return sorted(session.scalars(select(HumanTask.spec_id).where(HumanTask.instance_id == instance.id,
                                                                  HumanTask.state == TaskState.ready)))


def clock(session, instance, name):
    return session.scalars(select(CaseClock).where(CaseClock.instance_id == instance.id,
                                                   CaseClock.name == name)).one()


@contextmanager
def refused(match, field=None):
    """The step is refused with a message matching `match` (on `field`, when the form fed it)."""
    with pytest.raises((FormInvalid, OperationRefused)) as caught:
        yield
    exc = caught.value
    if isinstance(exc, FormInvalid):
        messages = [(name, message % params if params else message) for name, errors in exc.errors.items()
                    for message, params in errors]
        assert any(re.search(match, m) and field in (None, name) for name, m in messages), messages
    else:
        assert re.search(match, str(exc) % exc.params if exc.params else str(exc)), exc


def to_order(session, instance):
    run(session, instance, demo.FILE + demo.INVESTIGATE + demo.ORDER)


def test_closed_on_compliance(session):
    instance = register(session)
    assert instance.business_key.startswith('ZF') and instance.applicant_name == '上海某某贸易有限公司'
    assert open_steps(session, instance) == ['approve_filing']
    to_order(session, instance)
    assert session.scalar(select(EvidenceItem.kind).where(EvidenceItem.seq == 2)) == 'party_statement'
    assert instance.data['investigation']['arrears'] == 45 * 6000 * 0.14 * 15
    # the order gives 30 calendar days from Mon 1 June: Wed 1 July
    assert clock(session, instance, 'order').due_date == date(2026, 7, 1)
    run(session, instance, [('check_compliance', 'officer', {'complied': True, 'compliance_note': '已全部办理'})]
        + demo.CLOSE, at=on(date(2026, 6, 20)))
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'no_penalty')
    assert clock(session, instance, 'order').state == ClockState.met


def to_legal_review(session, instance):
    """Filed 1 June, ordered 1 June (due 1 July), not complied on 2 July."""
    to_order(session, instance)
    run(session, instance, demo.NOT_COMPLIED, at=on(date(2026, 7, 2)))


def test_fine_without_hearing_paid(session):
    instance = register(session)
    to_order(session, instance)
    # non-compliance cannot be found while the order runs (to Wed 1 July)
    with refused('only after that day'):
        run(session, instance, demo.NOT_COMPLIED, at=on(date(2026, 7, 1)))
    run(session, instance, demo.NOT_COMPLIED, at=on(date(2026, 7, 2)))
    data = instance.data
    # 17 months (March 2025 – July 2026), 45 employees, 567,000 owed → 较重 (medium) by the amount owed
    assert (data['grade'], data['penalty_range']['version']) == ('medium', '2019')
    assert (data['penalty_range']['fine_min'], data['penalty_range']['fine_max']) == (20000, 35000)
    with refused('20,000 to 35,000', 'intended_fine'):
        run(session, instance, [('legal_review', 'legal', {**demo.LEGAL[0][2], 'intended_fine': 10000})],
            at=on(date(2026, 7, 3)))
    legal = [('legal_review', 'legal', {**demo.LEGAL[0][2], 'intended_fine': 30000})]
    run(session, instance, legal + demo.NOTICE, at=on(date(2026, 7, 3)))
    assert instance.data['intended'] == {'fine': 30000.0, 'hearing_offered': False, 'hearing_threshold': 50000.0}
    # 陈述申辩 never makes the fine heavier
    heavier = [('statement', 'officer', {**demo.NO_STATEMENT[0][2], 'revised_fine': 35000})]
    with refused('never makes the penalty heavier'):
        run(session, instance, heavier, at=on(date(2026, 7, 6)))
    statement = [('statement', 'officer', {**demo.NO_STATEMENT[0][2], 'statement_made': True, 'revised_fine': 25000})]
    run(session, instance, statement, at=on(date(2026, 7, 6)))
    assert open_steps(session, instance) == ['decide']
    with refused('at most the 25,000.00 yuan'):
        run(session, instance, [('decide', 'director', {**demo.DECIDE[0][2], 'decided_fine': 30000})], at=on(date(2026, 7, 8)))
    run(session, instance, [('decide', 'director', {**demo.DECIDE[0][2], 'decided_fine': 25000})] + demo.SERVE,
        at=on(date(2026, 7, 8)))
    # decision clock: filed Mon 1 June + 90 days = Sun 30 August → Mon 31 August; decided 8 July
    decision = clock(session, instance, 'decision')
    assert (decision.due_date, decision.state) == (date(2026, 8, 31), ClockState.met)
    # served Wed 8 July; 15 days → Thu 23 July
    assert clock(session, instance, 'payment').due_date == date(2026, 7, 23)
    run(session, instance, demo.PAID + demo.CLOSE, at=on(date(2026, 7, 20)))
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'paid')
    assert instance.data['payment']['surcharge'] == 0
    assert session.scalar(select(EmployerPenalty.fine).where(EmployerPenalty.instance_id == instance.id)) == 2_500_000


def _hearing_case(session):
    # 上海某某建筑劳务有限公司 was penalised in December 2025: a repeat offence, 严重 (serious)
    instance = register(session, credit_code='91310000MA1FL00004')
    to_legal_review(session, instance)
    assert instance.data['grade'] == 'serious' and instance.data['penalty_range']['recommended'] == 50000
    legal = [('legal_review', 'legal', {**demo.LEGAL[0][2], 'intended_fine': 50000})]
    run(session, instance, legal + demo.NOTICE, at=on(date(2026, 9, 24)))
    assert instance.data['intended']['hearing_offered'] is True
    # notice Thu 24 Sept: 5 working days → 28, 29, 30 Sept, 8, 9 Oct (25 Sept 中秋, 1–7 Oct 国庆)
    assert clock(session, instance, 'reply').due_date == date(2026, 10, 9)
    late = [('statement', 'officer', {**demo.NO_STATEMENT[0][2], 'revised_fine': 50000, 'hearing_requested': True,
                                      'hearing_requested_on': '2026-10-10'})]
    with refused('within 5 working days of the notice, by 2026-10-09'):
        run(session, instance, late, at=on(date(2026, 10, 10)))
    ok = [('statement', 'officer', {**late[0][2], 'hearing_requested_on': '2026-10-09'})]
    run(session, instance, ok, at=on(date(2026, 10, 9)))
    assert open_steps(session, instance) == ['schedule_hearing']
    return instance


def test_fine_after_hearing(session):
    instance = _hearing_case(session)
    # noticed Fri 9 Oct: 7 working days are Sat 10 (调休), 12–16 and 19 Oct → Mon 19 Oct at the earliest
    early = [('schedule_hearing', 'hearing', {'hearing_on': '2026-10-16', 'hearing_place': '本中心听证室'})]
    with refused('held on 2026-10-19 at the earliest', 'hearing_on'):
        run(session, instance, early, at=on(date(2026, 10, 9)))
    run(session, instance, [('schedule_hearing', 'hearing', {**early[0][2], 'hearing_on': '2026-10-19'})],
        at=on(date(2026, 10, 9)))
    held = [('hold_hearing', 'hearing', {'attended': True, 'hearing_record': '当事人到场陈述申辩', 'record_signed': True,
                                         'fine_after_hearing': 40000})]
    with refused('record it on or after that day'):
        run(session, instance, held, at=on(date(2026, 10, 16)))
    run(session, instance, held + [('legal_recheck', 'legal', {'recheck_opinion': '同意听证意见'})], at=on(date(2026, 10, 19)))
    assert open_steps(session, instance) == ['collective']
    run(session, instance, [('collective', 'director2', {'participants': '郑主任、冯副主任、曹副主任', 'discussion_record': '讨论',
                                                         'collective_conclusion': '罚款40000元'}),
                            ('decide', 'director', {**demo.DECIDE[0][2], 'decided_fine': 40000})] + demo.SERVE + demo.PAID
        + demo.CLOSE, at=on(date(2026, 10, 20)))
    assert (instance.outcome, instance.data['decision']['fine'], instance.data['hearing']['waived']) == ('paid', 40000, False)


def test_hearing_waived_by_no_show(session):
    instance = _hearing_case(session)
    run(session, instance, [('schedule_hearing', 'hearing', {'hearing_on': '2026-10-19', 'hearing_place': '本中心听证室'})],
        at=on(date(2026, 10, 9)))
    run(session, instance, [('hold_hearing', 'hearing', {'attended': False, 'hearing_record': '当事人无正当理由未到场',
                                                         'record_signed': False, 'fine_after_hearing': 50000})],
        at=on(date(2026, 10, 19)))
    assert instance.data['hearing'] == {'fine': 50000.0, 'waived': True}
    assert open_steps(session, instance) == ['legal_recheck']


def test_non_payment_reminder_and_court_application(session):
    instance = register(session)
    to_legal_review(session, instance)
    legal = [('legal_review', 'legal', {**demo.LEGAL[0][2], 'intended_fine': 30000})]
    statement = [('statement', 'officer', {**demo.NO_STATEMENT[0][2], 'revised_fine': 30000})]
    decide = [('decide', 'director', {**demo.DECIDE[0][2], 'decided_fine': 30000})]
    run(session, instance, legal + demo.NOTICE + statement + decide + demo.SERVE, at=on(date(2026, 7, 3)))
    # served Fri 3 July: due Sat 18 July → Mon 20 July
    assert clock(session, instance, 'payment').due_date == date(2026, 7, 20)
    with refused('only after that day'):
        run(session, instance, [('await_payment', 'officer', {'payment_state': 'unpaid'})], at=on(date(2026, 7, 20)))
    # the party asks for review on 10 July; the review upholds the decision on 9 September: 61 days paused
    run(session, instance, [('await_payment', 'officer', {'payment_state': 'contested'})], at=on(date(2026, 7, 10)))
    assert clock(session, instance, 'payment').state == ClockState.paused
    run(session, instance, [('await_review', 'legal', {'review_result': 'upheld', 'review_note': '复议维持'})],
        at=on(date(2026, 9, 9)))
    # the paused days are added to the limit: 3 July + (15 + 61) days = Thu 17 September
    assert clock(session, instance, 'payment').due_date == date(2026, 9, 17)
    run(session, instance, [('await_payment', 'officer', {'payment_state': 'unpaid'})], at=on(date(2026, 9, 30)))
    # 13 days late (18–30 Sept, the review not counted) × 3 % × 30,000 = 11,700
    assert instance.data['payment']['days_late'] == 13 and instance.data['payment']['surcharge'] == 11700
    assert instance.data['amount_owed'] == 41700
    run(session, instance, [('remind', 'officer', {'reminder_no': '催告〔2026〕1号', 'reminder_receiver': '王某'})],
        at=on(date(2026, 9, 30)))
    window = instance.data['court_window']
    # 10 working days after Wed 30 Sept: 8, 9, 10 (Sat), 12–16, 19, 20 Oct; the lawsuit period ends 3 Jan 2027
    assert (window['after_reminder'], window['remedies_end'], window['opens'], window['closes']) == (
        '2026-10-20', '2027-01-03', '2027-01-04', '2027-04-03')
    apply = [('apply_court', 'officer', {'court': '上海市黄浦区人民法院', 'court_application_no': '强执申〔2026〕1号'})]
    with refused('can be made from 2027-01-04'):
        run(session, instance, apply, at=on(date(2026, 10, 21)))
    run(session, instance, apply + [('court_result', 'officer', {'court_result': 'enforced', 'court_note': '执行完毕'})]
        + demo.CLOSE, at=on(date(2027, 1, 4)))
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'enforced')


def test_public_notice_is_served_after_30_days(session):
    instance = register(session)
    to_legal_review(session, instance)
    legal = [('legal_review', 'legal', {**demo.LEGAL[0][2], 'intended_fine': 30000})]
    statement = [('statement', 'officer', {**demo.NO_STATEMENT[0][2], 'revised_fine': 30000})]
    decide = [('decide', 'director', {**demo.DECIDE[0][2], 'decided_fine': 30000})]
    run(session, instance, legal + demo.NOTICE + statement + decide, at=on(date(2026, 8, 17)))
    # electronic service needs consent this employer never gave
    with refused('consent'):
        run(session, instance, [('serve_decision', 'officer', {'service_method': 'electronic'})], at=on(date(2026, 8, 17)))
    run(session, instance, [('serve_decision', 'officer', {'service_method': 'public', 'service_note': '无法联系'})],
        at=on(date(2026, 8, 17)))
    # published Mon 17 Aug, served Wed 16 Sept; 15 days → Thu 1 Oct, a holiday → Thu 8 Oct
    assert instance.data['served_on'] == '2026-09-16'
    payment = clock(session, instance, 'payment')
    assert (payment.extended_days, payment.due_date) == (30, date(2026, 10, 8))


def test_filing_refused_as_time_barred(session):
    instance = register(session, violation_continuing=False, violation_started='2022-01-01',
                        violation_ended='2024-05-31', discovered_on='2026-06-01')
    assert instance.data['facts']['time_barred'] is True and instance.data['facts']['bar_date'] == '2026-05-31'
    with refused('until 2026-05-31'):
        run(session, instance, demo.FILE)
    run(session, instance, [('approve_filing', 'approver', {'filing_decision': 'refuse',
                                                            'filing_opinion': '超过二年追责时效，不予立案'})])
    assert (instance.status, instance.outcome) == (InstanceStatus.completed, 'not_filed')
    # ended 1 June 2024: discovered on the last day, still in time
    other = register(session, violation_continuing=False, violation_started='2022-01-01',
                     violation_ended='2024-06-01', discovered_on='2026-06-01')
    assert other.data['facts']['time_barred'] is False


def test_deferral_refuses_filing_for_non_payment(session):
    instance = register(session, credit_code='91310000MA1FL00003', violation='pay', violation_started='2026-02-01')
    with refused('approved deferral'):
        run(session, instance, demo.FILE)


def test_art38_non_payment_goes_straight_to_the_court(session):
    instance = register(session, violation='pay', lead_summary='单位自2025年3月起欠缴住房公积金')
    to_order(session, instance)
    run(session, instance, demo.NOT_COMPLIED, at=on(date(2026, 7, 2)))
    # no discretion, no fine, no hearing: the reminder comes next; the order served on 1 June is the decision
    assert open_steps(session, instance) == ['remind'] and 'grade' not in instance.data
    assert instance.data['served_on'] == '2026-06-01' and instance.data['amount_owed'] == 567000
    run(session, instance, [('remind', 'officer', {'reminder_no': '催告〔2026〕2号', 'reminder_receiver': '王某'})],
        at=on(date(2026, 12, 1)))
    assert instance.data['court_window']['opens'] == '2026-12-15'   # 10 working days after Tue 1 Dec
    apply = [('apply_court', 'officer', {'court': '上海市黄浦区人民法院', 'court_application_no': '强执申〔2026〕2号'})]
    run(session, instance, apply + [('court_result', 'officer', {'court_result': 'court_ended', 'court_note': '终结执行'})]
        + demo.CLOSE, at=on(date(2026, 12, 15)))
    assert instance.outcome == 'court_ended'


def test_withdrawn_and_transferred_after_investigation(session):
    for finding, outcome in (('none', 'withdrawn'), ('transfer', 'transferred')):
        instance = register(session)
        steps = demo.FILE + demo.INVESTIGATE
        steps = [(s, u, {**f, 'finding': finding} if s == 'investigate' else f) for s, u, f in steps]
        run(session, instance, steps + demo.CLOSE)
        assert instance.outcome == outcome


def test_two_distinct_officers_investigate(session):
    instance = register(session)
    run(session, instance, demo.FILE + demo.INVESTIGATE[:3])
    with pytest.raises(NotAllowed, match='Separation of duties'):
        run(session, instance, [('investigate_cosign', 'officer', demo.INVESTIGATE[3][2])])
    # the registering officer may not approve the filing (registered by an officer who is also an approver)


def test_the_hearing_threshold_and_the_order_period_are_settings(session):
    session.add_all([Setting(key='enforcement.hearing_threshold', value='30000'),
                     Setting(key='enforcement.order_limit', value='20cd')])
    session.commit()
    instance = register(session)
    to_order(session, instance)
    assert clock(session, instance, 'order').due_date == date(2026, 6, 22)    # 1 June + 20 = Sun 21 → Mon 22
    run(session, instance, demo.NOT_COMPLIED + demo.LEGAL, at=on(date(2026, 6, 23)))
    assert instance.data['intended']['hearing_offered'] is True               # 30,000 reaches the threshold
    # an order period above the legal 30 days is refused before the order is issued
    session.scalars(select(Setting).where(Setting.key == 'enforcement.order_limit')).one().value = '45cd'
    session.commit()
    other = register(session)
    with refused('at most 30 days'):
        run(session, other, demo.FILE + demo.INVESTIGATE)
