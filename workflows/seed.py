"""Reference data every database needs (roles, calendar, processes) and the demo data set."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from . import audit, substitution
from .calendar import holiday_rows_from_chinese_calendar
from .bundles import collect_bundle
from .definitions import deploy
from .models import BankAccount, CalendarDay, CalendarYear, FraudBan, FundAccount, ProcessInstance, Role, Team, User, utcnow
from .operations import demo_builders

ROOT = Path(__file__).resolve().parent.parent

ROLES = [
    ('clerk', '受理员', 'Window clerk', True),
    ('reviewer', '审核员', 'Reviewer', True),
    ('approver', '审批人', 'Section chief', True),
    ('director', '中心主任', 'Director', True),
    ('cashier', '财务', 'Cashier', True),
    ('officer', '执法人员', 'Enforcement officer', True),
    ('legal', '法制审核员', 'Legal reviewer', True),
    ('hearing', '听证主持人', 'Hearing officer', True),
    ('auditor', '内审员', 'Internal auditor', True),
    ('supervisor', '监察稽核', 'Supervisor', False),
    ('admin', '系统管理员', 'Administrator', False),
]

DEMO_PASSWORD = 'gjj-demo-2026'

# username, full name, ID number, roles
DEMO_USERS = [
    ('clerk', '王受理', '310101198501010011', ['clerk']),
    ('clerk2', '孙受理', '310101198601010022', ['clerk']),
    ('reviewer', '李审核', '310101198701010033', ['reviewer']),
    ('reviewer2', '周审核', '310101198801010044', ['reviewer']),
    ('approver', '吴审批', '310101197901010055', ['approver']),
    ('director', '郑主任', '310101197001010066', ['director']),
    ('cashier', '赵财务', '310101198901010077', ['cashier']),
    ('approver2', '严审批', '310101197802020147', ['approver']),       # 否定报备 when `approver` refused
    ('director2', '冯副主任', '310101197103030158', ['director']),     # 贷款审批委员会 members
    ('director3', '曹副主任', '310101197204040169', ['director']),
    ('cashier2', '许财务', '310101199002020171', ['cashier']),        # 放款双人复核
    ('officer', '钱执法', '310101199001010088', ['officer']),
    ('officer2', '冯执法', '310101199101010099', ['officer']),
    ('legal', '陈法制', '310101198201010100', ['legal']),
    ('hearing', '褚听证', '310101198301010111', ['hearing']),
    ('supervisor', '卫监察', '310101197501010122', ['supervisor']),
    ('auditor', '何内审', '310101197701010144', ['auditor']),
    ('admin', '蒋管理', '310101197601010133', ['admin']),
]

# code, name, English name: the center's sections (科室)
DEMO_TEAMS = [
    ('business', '业务科', 'Business section'),
    ('credit', '信贷科', 'Credit section'),
    ('finance', '财务科', 'Finance section'),
    ('inspection', '执法稽查科', 'Inspection section'),
    ('oversight', '稽核审计科', 'Oversight section'),
    ('office', '中心办公室', "Director's office"),
]

# username → team code (demo users not listed have no team)
DEMO_MEMBERSHIP = {
    'clerk': 'business', 'clerk2': 'business', 'reviewer': 'business', 'reviewer2': 'business',
    'approver': 'business', 'approver2': 'credit', 'cashier': 'finance', 'cashier2': 'finance',
    'officer': 'inspection', 'officer2': 'inspection', 'legal': 'inspection', 'hearing': 'inspection',
    'supervisor': 'oversight', 'auditor': 'oversight',
    'director': 'office', 'director2': 'office', 'director3': 'office', 'admin': 'office',
}

# account no, holder, ID number, balance (yuan), employer
DEMO_ACCOUNTS = [
    ('100000000001', '张伟', '310104199203154512', 86000, '上海某某科技有限公司'),
    ('100000000002', '刘芳', '310105198807226023', 12500, '上海某某物流有限公司'),
    ('100000000003', '杨洋', '310106199512019034', 150000, '上海某某银行股份有限公司'),
    ('100000000004', '黄强', '310107198011304045', 30000, '上海某某建筑工程有限公司'),
    ('100000000005', '李审核', '310101198701010033', 40000, '本中心'),
]

# id number, reason, basis, until, decision number, scope, starts, conduct on, law in force at the time
DEMO_BANS = [
    ('310107198011304045', '2024年以虚假租房合同骗提住房公积金', '本中心诚信黑名单管理办法第五条', date(2029, 6, 30),
     '沪公积金罚字〔2024〕第0117号', 'withdrawal,loan', date(2024, 7, 1), date(2024, 3, 12),
     '《上海市住房公积金管理若干规定》第十八条（2024年3月施行文本）'),
]

# the demo account holders' own bank accounts on record (withdrawals are paid only there)
DEMO_BANK_ACCOUNTS = [
    ('310104199203154512', '张伟', '中国建设银行上海分行', '6217001234567890123'),
    ('310105198807226023', '刘芳', '中国工商银行上海分行', '6222021234567890456'),
    ('310106199512019034', '杨洋', '中国银行上海分行', '6216611234567890789'),
    ('310107198011304045', '黄强', '交通银行上海分行', '6222601234567890012'),
]


def seed_reference(session, calendar_years=range(2024, 2027)):
    """Roles, the audit chain head, the calendar and default settings (idempotent)."""
    known = set(session.scalars(select(Role.code)))
    session.add_all(Role(code=c, name_zh=zh, name_en=en, is_business=b) for c, zh, en, b in ROLES if c not in known)
    audit.ensure_head(session)
    for year in calendar_years:  # never overwrite a year that is loaded (the admin may have edited it)
        if session.get(CalendarYear, year) is None:
            load_calendar_year(session, year)
    session.flush()


def load_calendar_year(session, year, source='chinese_calendar'):
    """Replace one year's holiday/调休 rows with the maintained package's table."""
    rows = holiday_rows_from_chinese_calendar(year)
    session.query(CalendarDay).filter(CalendarDay.day >= date(year, 1, 1),
                                      CalendarDay.day <= date(year, 12, 31)).delete()
    session.add_all(CalendarDay(day=d, is_workday=w, note=n) for d, w, n in rows)
    existing = session.get(CalendarYear, year)
    if existing is None:
        session.add(CalendarYear(year=year, source=source))
    else:  # a new loaded_at is the calendar's new version (see deadlines.load_calendar)
        existing.source, existing.loaded_at = source, utcnow()
    session.flush()


def deploy_models(session, root=ROOT, actor_id=None):
    """Deploy each process in bpmn_models/ (not shared/) as a bundle; a changed bundle is a new version."""
    models = root / 'bpmn_models'
    return [deploy(session, collect_bundle(path, models, root / 'rules', root / 'forms'), actor_id)
            for path in sorted(models.glob('*.bpmn'))]


def seed_demo(session, password_hash):
    """Demo teams and users (one or more per role, all with `password_hash`), fund accounts and a fraud ban
    (idempotent).

    The caller hashes the demo password: hashing is the web layer's (werkzeug's) business.
    """
    roles = {r.code: r for r in session.scalars(select(Role))}
    teams = {t.code: t for t in session.scalars(select(Team))}
    for code, name, name_en in DEMO_TEAMS:
        if code not in teams:
            teams[code] = Team(code=code, name=name, name_en=name_en)
            session.add(teams[code])
    existing = set(session.scalars(select(User.username)))
    hashed = password_hash
    for username, name, id_number, codes in DEMO_USERS:
        if username not in existing:
            team = DEMO_MEMBERSHIP.get(username)
            session.add(User(username=username, full_name=name, id_number=id_number,
                             password_hash=hashed, team=teams[team] if team else None,
                             roles=[roles[c] for c in codes]))
    for no, holder, id_number, balance, employer in DEMO_ACCOUNTS:
        if session.get(FundAccount, no) is None:
            session.add(FundAccount(account_no=no, holder_name=holder, id_number=id_number,
                                    balance=balance * 100, employer=employer))
    if not session.scalar(select(FraudBan.id).limit(1)):
        session.add_all(FraudBan(id_number=i, reason=r, basis=b, until=u, decision_no=n, scope=sc, starts=st,
                                 conduct_on=c, law_in_force=law) for i, r, b, u, n, sc, st, c, law in DEMO_BANS)
    if not session.scalar(select(BankAccount.id).limit(1)):
        session.add_all(BankAccount(id_number=i, holder_name=h, bank=b, card_no=c) for i, h, b, c in DEMO_BANK_ACCOUNTS)
    session.flush()


def seed_demo_cases(session):
    """Each process module's demo cases, so every demo user finds work on first login (idempotent)."""
    if session.scalar(select(ProcessInstance.id).limit(1)) is not None:
        return
    users = {u.username: u for u in session.scalars(select(User))}
    for build in demo_builders():
        build(session, users)
    substitution.seed_demo(session, users)
    session.flush()
