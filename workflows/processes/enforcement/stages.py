"""Demo enforcement cases waiting at each stage, dated back from today so every clock is real.

Each case is the standard lead (demo.py) carried to a stage on past days: the order's 30 days must
have run before non-compliance can be found, a hearing must be noticed 7 working days ahead, the
court window opens months after service. Fines follow the discretion table's recommendation for the
case, so the cases stay valid whatever earlier demo penalties make a repeat offence.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from . import demo


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0)      # 10:00 in Shanghai


def _dated(steps, day: date):
    return [(s, u, {**f, **{k: day.isoformat() for k in ('collected_on', 'interview_on') if k in f}})
            for s, u, f in steps]


def _with_fine(steps, fine):
    keys = {'legal_review': 'intended_fine', 'statement': 'revised_fine', 'decide': 'decided_fine',
            'hold_hearing': 'fine_after_hearing'}
    return [(s, u, {**f, keys[s]: fine} if s in keys else f) for s, u, f in steps]


# stage name -> (lead changes, [(days after the start, steps)]); steps may be a function of the case data
def _plans(today: date):
    t0 = today - timedelta(days=75)
    hearing_on = today + timedelta(days=12)
    before_legal = [(0, demo.FILE + demo.INVESTIGATE + demo.ORDER), (40, demo.NOT_COMPLIED)]
    fine = lambda steps: lambda data: _with_fine(steps, data['penalty_range']['recommended'])   # noqa: E731
    notice = before_legal + [(41, fine(demo.LEGAL + demo.NOTICE))]
    heard = [('statement', 'officer', {**demo.NO_STATEMENT[0][2], 'hearing_requested': True,
                                       'hearing_requested_on': (t0 + timedelta(days=42)).isoformat()})]
    decided = notice + [(42, fine(demo.NO_STATEMENT + demo.DECIDE + demo.SERVE))]
    repeat = {'credit_code': '91310000MA1FL00004', 'lead_summary': '执法检查：单位再次未为新入职职工设立住房公积金账户'}
    return t0, [
        ('approve_filing', {'lead_source': 'hotline'}, []),
        ('add_evidence', {'credit_code': '91310000MA1FL00005'}, [(0, demo.FILE)]),
        ('investigate_cosign', {'credit_code': '91310000MA1FL00002'}, [(0, demo.FILE + demo.INVESTIGATE[:3])]),
        ('check_compliance', {}, [(60, demo.FILE + demo.INVESTIGATE + demo.ORDER)]),
        ('legal_review', {'credit_code': '91310000MA1FL00005'}, before_legal),
        ('statement', {'credit_code': '91310000MA1FL00002'}, notice),
        # in a hearing: noticed today-33, held in 12 days
        ('hold_hearing', repeat, notice + [(42, fine(heard)), (42, [('schedule_hearing', 'hearing', {
            'hearing_on': hearing_on.isoformat(), 'hearing_place': '本中心听证室'})])]),
        ('decide', repeat, notice + [(42, fine(heard)), (42, [('schedule_hearing', 'hearing', {
            'hearing_on': (t0 + timedelta(days=55)).isoformat(), 'hearing_place': '本中心听证室'})]),
            (55, lambda data: [('hold_hearing', 'hearing', {'attended': False, 'hearing_record': '当事人无正当理由未到场',
                                                            'record_signed': False,
                                                            'fine_after_hearing': data['reply']['fine']}),
                               ('legal_recheck', 'legal', {'recheck_opinion': '当事人放弃听证，同意原拟处罚'}),
                               ('collective', 'director2', {'participants': '郑主任、冯副主任、曹副主任',
                                                            'discussion_record': '一致同意按裁量基准处罚',
                                                            'collective_conclusion': '同意罚款'})])]),
        ('await_payment', {}, decided),
        # waiting for the court window: art. 38, the order served 45 days ago, the reminder given today-5
        ('apply_court', {'violation': 'pay', 'credit_code': '91310000MA1FL00002',
                         'lead_summary': '12329热线：单位自2025年3月起欠缴住房公积金'},
         [(30, demo.FILE + demo.INVESTIGATE + demo.ORDER), (70, demo.NOT_COMPLIED),
          (70, [('remind', 'officer', {'reminder_no': '沪公积金催〔2026〕第1号', 'reminder_receiver': '王某'})])]),
        ('close_case', {'credit_code': '91310000MA1FL00005'}, decided + [(50, demo.PAID)]),
        (None, {'lead_source': 'inspection'}, [(0, demo.FILE + demo.INVESTIGATE + demo.ORDER),
                                               (20, [('check_compliance', 'officer', {'complied': True,
                                                                                      'compliance_note': '已全部办理'})]
                                                + demo.CLOSE)]),
        (None, {'violation_continuing': False, 'violation_started': '2021-01-01', 'violation_ended': '2023-06-30'},
         [(0, [('approve_filing', 'approver', {'filing_decision': 'refuse',
                                               'filing_opinion': '违法行为终了已逾二年，不予立案'})])]),
    ]


def add_demo_cases(session, users, today: date | None = None):
    """One case waiting at each stage (stage None: a closed case); returns {stage: instance}."""
    from ...actors import Actor
    from ...runtime import start_instance
    today = today or date.today()
    t0, plans = _plans(today)
    cases = {}
    for n, (stage, changes, plan) in enumerate(plans):
        lead = {**demo.STANDARD_LEAD, 'discovered_on': t0.isoformat(), **changes}
        instance = start_instance(session, demo.KEY, lead, Actor(users['officer'], _at(t0)))
        for offset, steps in plan:
            day = t0 + timedelta(days=offset)
            steps = steps(instance.data) if callable(steps) else steps
            demo.advance(session, instance, _dated(steps, day), users, _at(day))
        cases[stage or f'closed_{n}'] = instance
    return cases
