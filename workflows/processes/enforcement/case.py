"""The enforcement case's operations: facts of record and the checks the law sets at each step.

Each check refuses with the reason and the rule, on the form field that carries the fault; the
figures and dates come from `law.py`, the ranges of fines from `rules/enforcement_*.dmn`.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ...calendar import parse_time_limit
from ...deadlines import get_setting, load_calendar
from ...errors import N_
from ...models import CaseClock, Employer, EmployerDeferral, EmployerPenalty, EvidenceItem
from ...operations import effect, lookup, refuse
from . import law

ORDER_LIMIT_SETTING, ORDER_LIMIT_DEFAULT = 'enforcement.order_limit', '30cd'
HEARING_THRESHOLD_SETTING, HEARING_THRESHOLD_DEFAULT = 'enforcement.hearing_threshold', '50000'
EVIDENCE_KINDS = ('documentary', 'physical', 'audiovisual', 'electronic', 'witness', 'party_statement',
                  'expert_opinion', 'inspection_record')
SERVICE_METHODS = ('direct', 'left', 'electronic', 'post', 'public')


def _day(value, param) -> date | None:
    if value in (None, ''):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        refuse(N_('Not a date (YYYY-MM-DD).'), param=param)


def _clock(ctx, name) -> CaseClock | None:
    return ctx.session.scalar(select(CaseClock).where(CaseClock.instance_id == ctx.instance.id,
                                                      CaseClock.name == name))


def _money(value, param) -> Decimal:
    try:
        amount = Decimal(str(value))
    except Exception:  # noqa: BLE001 -- any unparsable value is refused the same way
        refuse(N_('Not an amount of money.'), param=param)
    if not amount.is_finite() or amount < 0:
        refuse(N_('Not an amount of money.'), param=param)
    return amount


@lookup('enforcement.employer', title='被检查单位', result={
    'name': {'title': '单位名称', 'x-title-en': 'Employer'},
    'credit_code': {'title': '统一社会信用代码', 'x-title-en': 'Unified social credit code'},
    'legal_representative': {'title': '法定代表人', 'x-title-en': 'Legal representative'},
    'address': {'title': '住所', 'x-title-en': 'Address'},
    'deferred': {'title': '处于经批准的缓缴期', 'x-title-en': 'Under an approved deferral', 'type': 'boolean'},
    'deferral_until': {'title': '缓缴截止', 'x-title-en': 'Deferred until'},
    'repeat_offence': {'title': '两年内曾受处罚', 'x-title-en': 'Penalised within two years', 'type': 'boolean'},
    'time_barred': {'title': '超过追责时效', 'x-title-en': 'Time-barred', 'type': 'boolean'},
    'bar_date': {'title': '追责时效截止', 'x-title-en': 'Discoverable until'},
})
def employer(ctx, credit_code, violation_started, discovered_on, violation_ended=''):
    """The employer of record (registered as the party), its approved 缓缴, earlier penalties and the time bar."""
    found = ctx.session.get(Employer, str(credit_code or '').strip().upper())
    if found is None:
        refuse(N_('No employer of record has this unified social credit code.'), param='credit_code')
    started = _day(violation_started, 'violation_started')
    ended = _day(violation_ended, 'violation_ended')
    discovered = _day(discovered_on, 'discovered_on')
    if started is None or discovered is None:
        refuse(N_('Not a date (YYYY-MM-DD).'), param='violation_started' if started is None else 'discovered_on')
    if discovered > ctx.today:
        refuse(N_('The lead cannot be discovered after today.'), param='discovered_on')
    if ended is not None and not started <= ended <= ctx.today:
        refuse(N_('The violation must end between its start and today.'), param='violation_ended')
    if started > discovered:
        refuse(N_('The violation must start before it was discovered.'), param='violation_started')
    barred, bar_date = law.time_bar(started, ended, discovered)
    deferral = ctx.session.scalar(select(EmployerDeferral).where(
        EmployerDeferral.credit_code == found.credit_code, EmployerDeferral.start <= (ended or ctx.today),
        EmployerDeferral.until >= started).order_by(EmployerDeferral.until.desc()).limit(1))
    earlier = ctx.session.scalar(select(func.count(EmployerPenalty.id)).where(
        EmployerPenalty.credit_code == found.credit_code,
        EmployerPenalty.decided_on >= law.add_years(ctx.today, -2)))
    ctx.add_party(found.credit_code, found.name, 'employer')
    return {'name': found.name, 'credit_code': found.credit_code, 'legal_representative': found.legal_representative,
            'address': found.address, 'e_service_consent': found.e_service_consent,
            'deferred': deferral is not None, 'deferral_until': deferral.until.isoformat() if deferral else '',
            'deferral_basis': deferral.basis if deferral else '', 'repeat_offence': bool(earlier),
            'time_barred': barred, 'bar_date': bar_date.isoformat(),
            'violation_date': (ended or discovered).isoformat()}


@lookup('enforcement.filing', title='立案审查', result={
    'filed_on': {'title': '立案日期', 'x-title-en': 'Filed on'},
})
def filing(ctx, decision, facts, violation):
    """Refuse to approve a filing the law bars: time-barred (art. 36), or unpaid months under an approved 缓缴."""
    if decision == 'approve' and facts.get('time_barred'):
        refuse(N_('The violation ended more than two years before it was discovered (it could be discovered '
                  'until %(day)s); it can no longer be punished (行政处罚法 art. 36). Refuse the filing.'),
               param='filing_decision', day=facts.get('bar_date'))
    if decision == 'approve' and violation == 'pay' and facts.get('deferred'):
        refuse(N_('The employer has an approved deferral (缓缴) until %(day)s covering this period: '
                  'not paying in it is no violation. Refuse the filing.'),
               param='filing_decision', day=facts.get('deferral_until'))
    return {'filed_on': ctx.today.isoformat() if decision == 'approve' else ''}


@effect('enforcement.add_evidence', title='证据登记', result={
    'count': {'title': '证据数量', 'x-title-en': 'Items of evidence', 'type': 'integer'},
})
def add_evidence(ctx, kind, description, source, collected_on, archive_ref):
    """Add one item to the case's evidence register, collected by the officer completing the step."""
    if kind not in EVIDENCE_KINDS:
        refuse(N_('Not one of the eight kinds of evidence.'), param='evidence_kind')
    day = _day(collected_on, 'collected_on')
    if day is None or day > ctx.today:
        refuse(N_('The evidence cannot be collected after today.'), param='collected_on')
    seq = (ctx.session.scalar(select(func.max(EvidenceItem.seq)).where(EvidenceItem.instance_id == ctx.instance.id))
           or 0) + 1
    ctx.session.add(EvidenceItem(instance_id=ctx.instance.id, seq=seq, kind=kind, description=description,
                                 source=source, collected_on=day, collector_id=ctx.actor.user_id,
                                 archive_ref=archive_ref))
    return {'count': seq}


@lookup('enforcement.investigation', title='调查结论', result={
    'evidence_count': {'title': '证据数量', 'x-title-en': 'Items of evidence', 'type': 'integer'},
    'arrears': {'title': '应缴未缴金额（元）', 'x-title-en': 'Arrears (yuan)', 'x-unit': 'yuan'},
})
def investigation(ctx, persons, base, rate_percent, months, violation_started, violation_ended=''):
    """The evidence register must not be empty; the arrears = persons × base × rate × months."""
    count = ctx.session.scalar(select(func.count(EvidenceItem.id)).where(EvidenceItem.instance_id == ctx.instance.id))
    if not count:
        refuse(N_('The evidence register is empty: record the evidence before concluding the investigation.'))
    owed = law.arrears(int(persons), _money(base, 'base'), _money(rate_percent, 'rate_percent'), int(months))
    started, ended = _day(violation_started, 'violation_started'), _day(violation_ended, 'violation_ended')
    return {'evidence_count': count, 'arrears': float(owed),
            'months_lasted': law.months_between(started, ended or ctx.today)}


@lookup('enforcement.order_limit', title='责令改正期限', result={
    'limit': {'title': '期限', 'x-title-en': 'Time limit'},
})
def order_limit(ctx):
    """The deadline an order sets (the setting), refused above 30 days."""
    value = get_setting(ctx.session, ORDER_LIMIT_SETTING, ORDER_LIMIT_DEFAULT)
    limit = parse_time_limit(value)
    if limit.amount > 30 or limit.amount < 1:
        refuse(N_('The setting %(key)s allows %(value)s; an order gives at most 30 days.'),
               key=ORDER_LIMIT_SETTING, value=value)
    return {'limit': str(limit)}


@lookup('enforcement.compliance', title='整改情况核查', result={
    'order_due': {'title': '限期届满', 'x-title-en': 'Order deadline'},
})
def compliance(ctx, complied):
    """Non-compliance can be found only once the order's deadline has passed."""
    clock = _clock(ctx, 'order')
    due = clock.due_date if clock else ctx.today
    if not complied and ctx.today <= due:
        refuse(N_('The order runs until %(day)s: non-compliance can be found only after that day.'),
               param='complied', day=due.isoformat())
    return {'order_due': due.isoformat(), 'order_issued_on': (clock.started_on if clock else ctx.today).isoformat(),
            'checked_on': ctx.today.isoformat()}


@lookup('enforcement.law', title='适用法律', result={
    'fine_min': {'title': '罚款下限（元）', 'x-title-en': 'Lowest fine (yuan)', 'x-unit': 'yuan'},
    'fine_max': {'title': '罚款上限（元）', 'x-title-en': 'Highest fine (yuan)', 'x-unit': 'yuan'},
    'recommended': {'title': '建议罚款（元）', 'x-title-en': 'Recommended fine (yuan)', 'x-unit': 'yuan'},
    'basis': {'title': '法律依据', 'x-title-en': 'Legal basis'},
    'version': {'title': '适用文本', 'x-title-en': 'Text applied'},
    'reason': {'title': '适用理由', 'x-title-en': 'Why this text'},
})
def applicable_law(ctx, then, now):
    """The law at the time of the violation unless the one in force now is lighter (行政处罚法 art. 37)."""
    lighter = (now['fine_max'], now['fine_min']) < (then['fine_max'], then['fine_min'])
    chosen = now if lighter else then
    reason = ('现行规定处罚较轻，适用现行规定（《行政处罚法》第三十七条）' if lighter else
              '适用违法行为发生时的规定（《行政处罚法》第三十七条）' if then['version'] != now['version'] else
              '违法行为发生时与现行规定相同')
    return {**chosen, 'reason': reason}


@lookup('enforcement.intended_penalty', title='拟处罚', result={
    'fine': {'title': '拟罚款（元）', 'x-title-en': 'Intended fine (yuan)', 'x-unit': 'yuan'},
    'hearing_offered': {'title': '告知听证权利', 'x-title-en': 'Hearing offered', 'type': 'boolean'},
    'hearing_threshold': {'title': '听证标准（元）', 'x-title-en': 'Hearing threshold (yuan)', 'x-unit': 'yuan'},
})
def intended_penalty(ctx, fine, penalty_range):
    """The intended fine lies in the discretion range; at or above the threshold (a setting) a hearing is offered."""
    amount = _money(fine, 'intended_fine')
    low, high = Decimal(str(penalty_range['fine_min'])), Decimal(str(penalty_range['fine_max']))
    if not low <= amount <= high:
        refuse(N_('The discretion table allows %(low)s to %(high)s yuan for this case.'), param='intended_fine',
               low=f'{low:,.0f}', high=f'{high:,.0f}')
    threshold = _money(get_setting(ctx.session, HEARING_THRESHOLD_SETTING, HEARING_THRESHOLD_DEFAULT),
                       'intended_fine')
    return {'fine': float(amount), 'hearing_offered': amount >= threshold, 'hearing_threshold': float(threshold)}


@lookup('enforcement.statement', title='陈述申辩复核', result={
    'fine': {'title': '复核后罚款（元）', 'x-title-en': 'Fine after the statement (yuan)', 'x-unit': 'yuan'},
    'hearing': {'title': '申请听证', 'x-title-en': 'Hearing requested', 'type': 'boolean'},
})
def statement(ctx, intended, revised, hearing_offered, hearing_requested, requested_on=''):
    """Re-examination never raises the fine (art. 45); a hearing must be offered and asked for in 5 working days."""
    amount = _money(revised, 'revised_fine')
    if amount > Decimal(str(intended)):
        refuse(N_('A statement or defence never makes the penalty heavier (行政处罚法 art. 45): at most %(max)s yuan.'),
               param='revised_fine', max=f'{Decimal(str(intended)):,.2f}')
    if hearing_requested:
        if not hearing_offered:
            refuse(N_('No hearing was offered: the intended fine is below the hearing threshold.'),
                   param='hearing_requested')
        day = _day(requested_on, 'hearing_requested_on')
        clock = _clock(ctx, 'reply')
        if day is None or day > ctx.today:
            refuse(N_('Give the day the request was received (not after today).'), param='hearing_requested_on')
        if clock is not None and day > clock.due_date:
            refuse(N_('A hearing must be asked for within 5 working days of the notice, by %(day)s '
                      '(行政处罚法 art. 64).'), param='hearing_requested_on', day=clock.due_date.isoformat())
    return {'fine': float(amount), 'hearing': bool(hearing_requested)}


@lookup('enforcement.hearing_date', title='听证日期', result={
    'notice_on': {'title': '听证通知日', 'x-title-en': 'Notice given on'},
    'earliest': {'title': '最早可举行日', 'x-title-en': 'Earliest hearing day'},
})
def hearing_date(ctx, hearing_on):
    """The hearing is at least 7 working days after its notice, which is given today."""
    day = _day(hearing_on, 'hearing_on')
    earliest = law.earliest_hearing(load_calendar(ctx.session), ctx.today)
    if day is None or day < earliest:
        refuse(N_('Notice must be given at least 7 working days before the hearing (行政处罚法 art. 64): '
                  'noticed today, it can be held on %(day)s at the earliest.'), param='hearing_on',
               day=earliest.isoformat())
    return {'notice_on': ctx.today.isoformat(), 'earliest': earliest.isoformat()}


@lookup('enforcement.hearing_held', title='听证结果', result={
    'fine': {'title': '听证后罚款（元）', 'x-title-en': 'Fine after the hearing (yuan)', 'x-unit': 'yuan'},
    'waived': {'title': '视为放弃听证', 'x-title-en': 'Hearing waived', 'type': 'boolean'},
})
def hearing_held(ctx, hearing_on, attended, fine_before, fine_after, record_signed):
    """Recorded on or after the hearing day; a party that did not come waived it; never a heavier fine."""
    day = _day(hearing_on, 'attended')
    if day is not None and ctx.today < day:
        refuse(N_('The hearing is on %(day)s: record it on or after that day.'), param='attended',
               day=day.isoformat())
    if not attended:
        return {'fine': fine_before, 'waived': True}
    if not record_signed:
        refuse(N_('The hearing record must be signed (行政处罚法 art. 64(8)).'), param='record_signed')
    amount = _money(fine_after, 'fine_after_hearing')
    if amount > Decimal(str(fine_before)):
        refuse(N_('A hearing never makes the penalty heavier: at most %(max)s yuan.'), param='fine_after_hearing',
               max=f'{Decimal(str(fine_before)):,.2f}')
    return {'fine': float(amount), 'waived': False}


@effect('enforcement.decision', title='处罚决定', result={
    'fine': {'title': '决定罚款（元）', 'x-title-en': 'Fine decided (yuan)', 'x-unit': 'yuan'},
    'decided_on': {'title': '决定日期', 'x-title-en': 'Decided on'},
})
def decision(ctx, outcome, fine, notified_fine, decision_no, credit_code):
    """The decided fine is at most the one notified (a heavier one needs a new notice); it goes on record."""
    if outcome != 'penalise':
        return {'fine': 0, 'decided_on': ctx.today.isoformat()}
    amount = _money(fine, 'decided_fine')
    if not 0 < amount <= Decimal(str(notified_fine)):
        refuse(N_('The fine must be more than 0 and at most the %(max)s yuan the party was notified of '
                  '(a heavier penalty needs a new advance notice).'), param='decided_fine',
               max=f'{Decimal(str(notified_fine)):,.2f}')
    ctx.session.add(EmployerPenalty(credit_code=credit_code, decided_on=ctx.today, decision_no=decision_no,
                                    fine=int(amount * 100), instance_id=ctx.instance.id))
    return {'fine': float(amount), 'decided_on': ctx.today.isoformat()}


@lookup('enforcement.service', title='送达', result={
    'served_on': {'title': '送达日期', 'x-title-en': 'Served on'},
    'extra_days': {'title': '公告期（日）', 'x-title-en': 'Public notice days', 'type': 'integer'},
})
def service(ctx, method, consent, receiver='', witness='', receipt_no=''):
    """Each method needs its proof; 公告 counts as served 30 days after publication (today)."""
    if method not in SERVICE_METHODS:
        refuse(N_('Not a method of service.'), param='service_method')
    if method == 'electronic' and not consent:
        refuse(N_('Electronic service needs the party\'s consent of record (行政处罚法 art. 61).'),
               param='service_method')
    if method == 'direct' and not receiver:
        refuse(N_('Direct service needs the receiver\'s signature on the 送达回证.'), param='receiver')
    if method == 'left' and not witness:
        refuse(N_('Leaving the document needs a witness (or a video record) named.'), param='witness')
    if method == 'post' and not receipt_no:
        refuse(N_('Service by post needs the return receipt (its date is the day served).'), param='receipt_no')
    served = law.public_notice_served(ctx.today) if method == 'public' else ctx.today
    return {'served_on': served.isoformat(), 'extra_days': (served - ctx.today).days, 'method': method}


@lookup('enforcement.payment', title='缴纳情况', result={
    'days_late': {'title': '加处罚款天数', 'x-title-en': 'Days of surcharge', 'type': 'integer'},
    'surcharge': {'title': '加处罚款（元）', 'x-title-en': 'Surcharge (yuan)', 'x-unit': 'yuan'},
})
def payment(ctx, state, fine):
    """Unpaid can be found only after the due date; the surcharge runs from it, paused days not counted."""
    clock = _clock(ctx, 'payment')
    due = clock.due_date
    if state == 'unpaid' and ctx.today <= due:
        refuse(N_('The fine is due by %(day)s: non-payment can be found only after that day.'), param='payment_state',
               day=due.isoformat())
    days, extra = law.surcharge(fine, due, ctx.today)
    return {'due': due.isoformat(), 'days_late': days, 'surcharge': float(extra)}


@lookup('enforcement.court_window', title='申请强制执行期间', result={
    'opens': {'title': '最早申请日', 'x-title-en': 'Window opens'},
    'closes': {'title': '最晚申请日', 'x-title-en': 'Window closes'},
})
def court_window_lookup(ctx, served_on):
    """The window for the court application, from the day served and the 催告 given today (行政强制法 arts. 53–54)."""
    window = law.court_window(load_calendar(ctx.session), _day(served_on, 'served_on'), ctx.today)
    return {'opens': window.opens.isoformat(), 'closes': window.closes.isoformat(),
            'after_reminder': window.after_reminder.isoformat(), 'remedies_end': window.remedies_end.isoformat(),
            'reminder_on': ctx.today.isoformat()}


@lookup('enforcement.court_application', title='申请强制执行', result={
    'applied_on': {'title': '申请日期', 'x-title-en': 'Applied on'},
})
def court_application(ctx, window):
    """Refused before the window opens and after it closes, with the reason."""
    opens, closes = date.fromisoformat(window['opens']), date.fromisoformat(window['closes'])
    if ctx.today < opens:
        refuse(N_('The court application can be made from %(opens)s: 10 working days after the reminder of '
                  '%(reminder)s (行政强制法 art. 54) and after the periods for review and lawsuit end on '
                  '%(remedies)s (art. 53).'), param='court', opens=opens.isoformat(), reminder=window['reminder_on'],
               remedies=window['remedies_end'])
    if ctx.today > closes:
        refuse(N_('The three months for a court application ended on %(day)s (行政强制法 art. 53).'),
               param='court', day=closes.isoformat())
    return {'applied_on': ctx.today.isoformat()}
