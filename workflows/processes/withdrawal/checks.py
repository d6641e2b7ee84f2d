"""Lookups the withdrawal model calls: history, heirs, materials, the 补正 deadline, amounts, payee."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, or_, select

from ...deadlines import CENTER_TZ, get_setting, load_calendar, task_due
from ...errors import N_, ModelFailed
from ...models import CaseParty, InstanceStatus, ProcessDefinition, ProcessInstance
from ...operations import lookup, refuse
from ...records import bank_account_of, to_fen

KEY = 'withdrawal'
OPEN = (InstanceStatus.running, InstanceStatus.waiting)
SUPPLEMENT_SETTING = 'withdrawal.supplement_limit'   # how long the applicant has to supply missing items
SUPPLEMENT_DEFAULT = '15wd'
ID_NUMBER = re.compile(r'^[0-9]{17}[0-9X]$')
MAX_HEIRS = 20


def _withdrawals(ctx):
    """Other withdrawal cases than the one being registered."""
    return (select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .where(ProcessDefinition.key == KEY, ProcessInstance.id != ctx.instance.id))


def _prior_same_type(ctx, withdrawal_type, id_number, since):
    """Paid withdrawals of this type by this person since `since` (what the frequency rule counts)."""
    return ctx.session.scalar(_withdrawals(ctx).with_only_columns(func.count(ProcessInstance.id)).where(
        ProcessInstance.started_at >= since, ProcessInstance.outcome == 'paid',
        ProcessInstance.data['withdrawal_type'].as_string() == str(withdrawal_type),
        ProcessInstance.id.in_(select(CaseParty.instance_id).where(CaseParty.id_number == id_number)))) or 0


def _type_names(ctx) -> dict[str, str]:
    """Withdrawal type code -> its name, from the case's own start form."""
    from ...definitions import loaded_definition
    node = loaded_definition(ctx.instance.definition).start_form['properties']['withdrawal_type']
    return dict(zip(node['enum'], node['x-enumNames']))


@lookup('withdrawal.history', title='本人提取记录', result={
    'open_cases': {'title': '在办提取申请', 'x-title-en': 'Open withdrawal applications'},
    'reserved': {'title': '在办提取占用（元）', 'x-title-en': 'Reserved by open withdrawals (yuan)', 'x-unit': 'yuan'},
    'available': {'title': '可提取余额（元）', 'x-title-en': 'Available (yuan)', 'x-unit': 'yuan'},
    'prior_same_type_12m': {'title': '12个月内同类提取（笔）', 'x-title-en': 'Same type in 12 months'},
    'prior_same_type_10y': {'title': '10年内同类提取（笔）', 'x-title-en': 'Same type in 10 years'},
    'today': {'title': '申请日期', 'x-title-en': 'Applied on'},
})
def withdrawal_history(ctx, account_no, id_number, withdrawal_type, balance):
    """What earlier withdrawals leave: the balance less open ones, and same-type ones paid in 12 months / 10 years.

    Open applications reserve their amount, so applications registered before the first is paid
    cannot together overdraw the account. An open application of the same type for the same person
    is a duplicate: refused here, at registration, on the type field (the frequency rule counts paid ones).
    """
    open_cases = ctx.session.scalars(_withdrawals(ctx).where(
        ProcessInstance.status.in_(OPEN), or_(
            ProcessInstance.data['account_no'].as_string() == str(account_no),
            ProcessInstance.id.in_(select(CaseParty.instance_id).where(CaseParty.id_number == id_number))))
        .order_by(ProcessInstance.id)).all()
    names = _type_names(ctx)
    same = next((i for i in open_cases if i.data.get('withdrawal_type') == withdrawal_type), None)
    if withdrawal_type is not None and same is not None:
        refuse(N_('An application of this type is already open for this person (%(key)s): finish that one first.'),
               param='withdrawal_type', key=same.business_key)
    own = [i for i in open_cases if i.data.get('account_no') == str(account_no)]
    reserved = round(sum(float(i.data.get('amount', 0)) for i in own), 2)
    return {'reserved': reserved, 'available': round(float(balance) - reserved, 2),
            'open_cases': '；'.join(f"{i.business_key} {names.get(i.data.get('withdrawal_type'), '')} "
                                   f"{float(i.data.get('amount', 0)):,.2f}元" for i in open_cases) or '无',
            'prior_same_type_12m': _prior_same_type(ctx, withdrawal_type, id_number, ctx.actor.at - timedelta(days=365)),
            'prior_same_type_10y': _prior_same_type(ctx, withdrawal_type, id_number,
                                                    ctx.actor.at - timedelta(days=3653)),
            'today': ctx.today.isoformat()}


def _heir(line, number):
    parts = [p.strip() for p in re.split(r'[,，\t]', line)]
    if len(parts) != 4 or not all(parts):
        refuse(N_('Line %(line)s: give name, ID number, relation and share, separated by commas.'),
               param='heirs', line=number)
    name, id_number, relation, share = parts
    if not ID_NUMBER.match(id_number):
        refuse(N_('Line %(line)s: the ID number has 18 characters (digits, the last may be X).'),
               param='heirs', line=number)
    try:
        percent = float(share.rstrip('%％'))
    except ValueError:
        percent = -1
    if not 0 < percent <= 100:
        refuse(N_('Line %(line)s: the share is a percentage above 0 and at most 100.'), param='heirs', line=number)
    return {'name': name[:64], 'id_number': id_number, 'relation': relation[:32], 'share': percent}


@lookup('withdrawal.heirs', title='继承人或受遗赠人', result={
    'count': {'title': '继承人人数', 'x-title-en': 'Number of heirs'},
    'listed': {'title': '继承人及份额', 'x-title-en': 'Heirs and shares'},
})
def withdrawal_heirs(ctx, heirs, withdrawal_type):
    """The heirs named for a death withdrawal (one per line), each registered as an applicant.

    Only a death withdrawal names heirs; their shares add up to 100 %. None named: the balance goes
    to the value-added income (art. 24 ¶3).
    """
    lines = [line for line in str(heirs or '').splitlines() if line.strip()]
    if lines and withdrawal_type != 'death':
        refuse(N_('Only a death withdrawal names heirs.'), param='heirs')
    if len(lines) > MAX_HEIRS:
        refuse(N_('At most %(limit)s heirs.'), param='heirs', limit=MAX_HEIRS)
    listed = [_heir(line, n) for n, line in enumerate(lines, 1)]
    if len({h['id_number'] for h in listed}) != len(listed):
        refuse(N_('Each heir is named once.'), param='heirs')
    if listed and abs(sum(h['share'] for h in listed) - 100) > 0.001:
        refuse(N_('The shares add up to 100.'), param='heirs')
    for heir in listed:
        ctx.add_party(heir['id_number'], heir['name'], 'applicant')
    return {'heirs': listed, 'count': len(listed),
            'listed': '、'.join(f"{h['name']}（{h['relation']}，{h['share']:g}%）" for h in listed)}


MATERIAL = re.compile(r'^(?P<name>.+)（(?P<kind>原件|复印件)(?P<copies>[0-9]+)份）$')


def _material_codes(ctx) -> dict[str, str]:
    """Material name -> code, from the material list of the case's own start form."""
    from ...definitions import loaded_definition
    node = loaded_definition(ctx.instance.definition).start_form['properties']['materials_provided']['items']
    return dict(zip(node['x-enumNames'], node['enum']))


@lookup('withdrawal.materials', title='核对申请材料', result={
    'required_list': {'title': '本事项须提交的材料', 'x-title-en': 'Materials this type needs'},
    'lacking_list': {'title': '尚缺材料', 'x-title-en': 'Still missing'},
})
def withdrawal_materials(ctx, required, provided):
    """The type's materials (from the types table: "name（原件N份）") against those provided at registration."""
    codes, needed = _material_codes(ctx), []
    for entry in required:
        match = MATERIAL.match(entry)
        if match is None or match['name'] not in codes:
            raise ModelFailed(N_('The types table names a material the forms do not list: %(name)s'), name=entry)
        needed.append((codes[match['name']], match['name']))
    provided = set(provided or [])
    lacking = [(code, name) for code, name in needed if code not in provided]
    return {'required': [code for code, _ in needed], 'required_list': '、'.join(required),
            'lacking': [code for code, _ in lacking], 'lacking_list': '、'.join(n for _, n in lacking) or '无'}


@lookup('withdrawal.check_notice', title='核对告知事项', result={
    'listed': {'title': '一次性告知的材料', 'x-title-en': 'Listed in the one-time notice'},
})
def withdrawal_check_notice(ctx, complete, missing, lacking):
    """The one-time notice may list only what this type needs and the applicant has not yet provided."""
    wrong = [item for item in missing or [] if item not in lacking]
    if wrong and not complete:
        refuse(N_('Only materials this type needs and the applicant has not yet provided can be listed.'),
               param='missing')
    return {'listed': list(missing or []) if not complete else []}


@lookup('withdrawal.supplement_deadline', title='补正期限', result={
    'until': {'title': '补正期限至', 'x-title-en': 'Supply by'},
})
def withdrawal_supplement_deadline(ctx):
    """The date by which the applicant must supply the missing items (the setting's limit from today)."""
    limit = str(get_setting(ctx.session, SUPPLEMENT_SETTING, SUPPLEMENT_DEFAULT))
    due = task_due(load_calendar(ctx.session), ctx.today, limit)
    # the timer waits from this change to the end of the deadline day (center time)
    end = datetime.combine(due.date, time(23, 59, 59), CENTER_TZ).astimezone(timezone.utc).replace(tzinfo=None)
    return {'until': due.date.isoformat(), 'limit': limit,
            'wait': f'PT{max(int((end - ctx.actor.at).total_seconds()), 1)}S',
            'basis': f'《中华人民共和国行政许可法》第三十二条；本中心提取业务规程：一次性告知后{_words(limit)}内补正'}


def _words(limit):
    number, unit = limit[:-2], limit[-2:]
    return f'{number}个工作日' if unit == 'wd' else f'{number}日'


@lookup('withdrawal.approved_amount', title='核准金额', result={
    'approved_amount': {'title': '核准提取金额（元）', 'x-title-en': 'Approved amount (yuan)', 'x-unit': 'yuan'},
    'reduced': {'title': '低于申请金额', 'x-title-en': 'Lower than applied for', 'type': 'boolean'},
})
def withdrawal_approved_amount(ctx, requested, approved, whole_balance):
    """The reviewer may approve less than applied for, never more; closing types pay the whole balance."""
    asked, granted = to_fen(requested, 'requested'), to_fen(approved, 'approved_amount')
    if granted > asked:
        refuse(N_('More than the amount applied for (%(limit)s).'), param='approved',
               limit=f'{asked / 100:,.2f}')
    if whole_balance and granted != asked:
        refuse(N_('This withdrawal pays the whole balance (%(limit)s).'), param='approved',
               limit=f'{asked / 100:,.2f}')
    return {'approved_amount': granted / 100, 'reduced': granted < asked}


def _split(amount_fen, heirs):
    """Each heir's part in fen by share; the last takes the rounding remainder."""
    parts, left = [], amount_fen
    for n, heir in enumerate(heirs):
        part = left if n == len(heirs) - 1 else int(amount_fen * heir['share'] / 100)
        parts.append(part)
        left -= part
    return parts


@lookup('withdrawal.payee', title='收款人', result={
    'approved_on': {'title': '核准日期', 'x-title-en': 'Approved on'},
    'payee': {'title': '收款人及账户（在册）', 'x-title-en': 'Payee and account on record'},
})
def withdrawal_payee(ctx, id_number, heirs, amount):
    """Who is paid, into which account on record: the holder's own, or each heir's by share."""
    fen = to_fen(amount, 'amount')
    people = [(h['name'], h['id_number'], part) for h, part in zip(heirs, _split(fen, heirs))] if heirs else \
        [(None, id_number, fen)]
    lines, accounts = [], []
    for name, number, part in people:
        bank = bank_account_of(ctx.session, number)
        holder = name or (bank.holder_name if bank else '')
        accounts.append(bank.card_no if bank else '')
        where = f'{bank.bank} {bank.card_no}' if bank else '未登记本人银行账户'
        lines.append(f'{holder} {where} {part / 100:,.2f}元')
    return {'approved_on': ctx.today.isoformat(), 'payee': '；'.join(lines),
            'on_record': all(accounts), 'accounts': accounts}
