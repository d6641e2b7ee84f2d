"""Oversight for supervisors: dashboards, the heatmap, the 否定报备 register, 内审 and the 电子监察 feed.

Every page is for supervisors and directors (read-only); the feed answers a service holding the
configured token (SUPERVISION_FEED_TOKEN), and is off while none is configured.
"""
from __future__ import annotations

import hmac
from datetime import date

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select

from workflows import feed, internal_audits, refusals, stats
from workflows.deadlines import load_calendar
from workflows.definitions import latest_definition, latest_definitions, loaded_definition
from workflows.errors import N_, DomainError
from workflows.models import Team, User

from .. import nav
from ..db import get_session
from ..i18n import is_english
from ..templating import element_name, role_name, today
from .export import FORMATS, table_response

bp = Blueprint('supervision', __name__, url_prefix='/supervision', template_folder='templates')

OVERSIGHT_ROLES = frozenset({'supervisor', 'director'})
AUDIT_ROLES = OVERSIGHT_ROLES | {'auditor'}
PUBLIC_ENDPOINTS = frozenset({'supervision.feed_json'})
# Pages internal auditors (内审员) may open besides supervisors and directors.
AUDITOR_ENDPOINTS = frozenset({'supervision.audit_register'})


def may_oversee(user) -> bool:
    """Supervisors and directors see the oversight pages."""
    return bool(user.role_codes & OVERSIGHT_ROLES)


def may_see_audits(user) -> bool:
    """Supervisors, directors and internal auditors see the internal-audit register."""
    return bool(user.role_codes & AUDIT_ROLES)


@bp.before_request
def _only_overseers():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    allowed = may_see_audits if _export_of_audits() or request.endpoint in AUDITOR_ENDPOINTS else may_oversee
    if not allowed(current_user.model):
        abort(403)
    return None


def _export_of_audits() -> bool:
    return request.endpoint == 'supervision.export' and (request.view_args or {}).get('name') == 'audits'


# --- filters ---

def _date_arg(name):
    text = request.args.get(name, '').strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(N_('%(value)s is not a date (YYYY-MM-DD).'), value=text[:20]) from None


def _id_arg(name, model, message):
    text = request.args.get(name, '').strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12 or get_session().get(model, int(text)) is None:
        raise DomainError(message, value=text[:20])
    return int(text)


def read_filters(session) -> stats.Filters:
    """The filters of the query string; without dates, the last twelve weeks. Bad values: 400."""
    process = request.args.get('process', '').strip() or None
    if process and process not in {d.key for d in latest_definitions(session)}:
        raise DomainError(N_('No process named %(key)s is deployed.'), key=process[:64])
    start, end = _date_arg('start'), _date_arg('end')
    team_id = _id_arg('team', Team, N_('There is no team %(value)s.'))
    user_id = _id_arg('person', User, N_('There is no user %(value)s.'))
    if start is None and end is None:
        return stats.Filters.recent(today(), process=process, team_id=team_id, user_id=user_id)
    return stats.Filters(process=process, start=start, end=end, team_id=team_id, user_id=user_id)


def _filter_choices(session):
    return {'processes': [(d.key, d.name) for d in latest_definitions(session)],
            'teams': session.execute(select(Team.id, Team.name).where(Team.active.is_(True))
                                     .order_by(Team.name)).all(),
            'people': session.execute(select(User.id, User.full_name).where(User.active.is_(True))
                                      .order_by(User.full_name)).all()}


# --- the tables (one definition each, for the page and the exports) ---

BUCKET_LABELS = {stats.ON_THE_SPOT: lazy_gettext('On the spot'), stats.WITHIN_1: lazy_gettext('Within 1 working day'),
                 stats.WITHIN_3: lazy_gettext('Within 3 working days'), stats.LATER: lazy_gettext('Later')}
STATUS_LABELS = {'overdue': lazy_gettext('Overdue'), 'soon': lazy_gettext('Due soon'), 'normal': lazy_gettext('On time'),
                 'met': lazy_gettext('Met'), 'missed': lazy_gettext('Missed'),
                 'refused': lazy_gettext('Refused'), 'awaiting_confirmation': lazy_gettext('Awaiting confirmation')}
RATE_TITLES = {'process': lazy_gettext('Process'), 'step': lazy_gettext('Step'), 'team': lazy_gettext('Team'),
               'person': lazy_gettext('Person')}


def _rate_columns(by):
    return [('label', RATE_TITLES[by]), ('completed', lazy_gettext('Completed with a time limit')),
            ('on_time', lazy_gettext('Completed on time')), ('late', lazy_gettext('Late')),
            ('rate', lazy_gettext('On-time rate'))]


COLUMNS = {
    'open_work': [('process_name', lazy_gettext('Process')), ('step_name', lazy_gettext('Step')),
                  ('waiting', lazy_gettext('Waiting')), ('soon', lazy_gettext('Due soon')),
                  ('overdue', lazy_gettext('Overdue'))],
    'deadlines': [('case', lazy_gettext('Case no.')), ('process_name', lazy_gettext('Process')),
                  ('step_name', lazy_gettext('Step')), ('holder_label', lazy_gettext('Held by')),
                  ('due_date', lazy_gettext('Due')), ('status_label', lazy_gettext('Status')),
                  ('days_late', lazy_gettext('Working days late'))],
    'rates_process': _rate_columns('process'), 'rates_step': _rate_columns('step'),
    'rates_team': _rate_columns('team'), 'rates_person': _rate_columns('person'),
    'completion': [('bucket_label', lazy_gettext('Completion time')), ('count', lazy_gettext('Number of cases')),
                   ('share', lazy_gettext('Share'))],
    'weekly': [('week', lazy_gettext('Week of')), ('completed', lazy_gettext('Tasks completed')),
               ('with_limit', lazy_gettext('With a time limit')), ('on_time', lazy_gettext('Completed on time')),
               ('rate', lazy_gettext('On-time rate'))],
    'refusals': [('case', lazy_gettext('Case no.')), ('process_name', lazy_gettext('Process')),
                 ('status_label', lazy_gettext('Status')), ('decided', lazy_gettext('Decided')),
                 ('refused_by', lazy_gettext('Refused by')), ('reason', lazy_gettext('Reason')),
                 ('basis', lazy_gettext('Basis')), ('confirmed_by', lazy_gettext('Confirmed by')),
                 ('confirmed', lazy_gettext('Confirmed'))],
    'audits': [('case', lazy_gettext('Case no.')), ('process_name', lazy_gettext('Process')),
               ('percent', lazy_gettext('Sampling rate (%)')), ('drawn', lazy_gettext('Drawn')),
               ('audit_case', lazy_gettext('Audit case')), ('result', lazy_gettext('Result')),
               ('auditors', lazy_gettext('Auditor')), ('reason', lazy_gettext('Findings')),
               ('basis', lazy_gettext('Basis'))],
    'feed': [(name, name) for name in feed.COLUMNS],
}


def _fmt_local(value):
    return feed.iso_local(value).replace('T', ' ')[:16] if value else ''


def _rounded(rows):
    for row in rows:
        for key in ('rate', 'share'):
            if row.get(key) is not None:
                row[key] = round(row[key], 4)
    return rows


def table_rows(name, session, f, calendar, work=None):
    """The rows of table `name` for filters `f`; `work` (`stats.completed_work`), when given, is what
    the rate tables are summed from."""
    if name == 'open_work':
        return stats.open_work(session, f, calendar, today())
    if name == 'deadlines':
        rows = stats.deadline_list(session, f, calendar, today())
        for row in rows:
            row['holder_label'] = row['holder'] or gettext('Pool: %(role)s', role=role_name(row['role']))
            row['status_label'] = str(STATUS_LABELS[row['status']])
        return rows
    if name.startswith('rates_'):
        by = name.removeprefix('rates_')
        rows = work.rates(by) if work is not None else stats.on_time_rates(session, f, by)
        for row in rows:
            if row['label'] is None:
                row['label'] = gettext('No team')
        return _rounded(rows)
    if name == 'completion':
        result = stats.completion_times(session, f, calendar)
        return _rounded([{'bucket': b, 'bucket_label': str(BUCKET_LABELS[b]), 'count': result['counts'][b],
                          'share': result['shares'][b]} for b in stats.BUCKETS])
    if name == 'weekly':
        return _rounded(stats.weekly_trends(session, f))
    if name == 'refusals':
        rows = refusals.register(session, f)
        for row in rows:
            row.update(status_label=str(STATUS_LABELS[row['state']]), decided=_fmt_local(row['decided_at']),
                       confirmed=_fmt_local(row['confirmed_at']))
        return rows
    if name == 'audits':
        rows = internal_audits.register(session, f)
        for row in rows:
            row['drawn'] = _fmt_local(row['drawn_at'])
            if row['outcome_name']:
                row['result'] = row['outcome_name_en'] if is_english() and row['outcome_name_en'] else row['outcome_name']
            else:
                row['result'] = gettext('Awaiting audit') if row['audit_case'] else ''
        return rows
    if name == 'feed':
        return feed.events(session, calendar, after=request.args.get('after', 0, type=int) or 0,
                           limit=feed.MAX_LIMIT, f=f)
    abort(404)


# --- pages ---

@bp.get('/')
def dashboard():
    """Open work, deadlines, on-time rates, completion times and weekly trends, with filters."""
    session = get_session()
    f = read_filters(session)
    calendar = load_calendar(session)
    work = stats.completed_work(session, f)     # one pass over the completed tasks for the four rate tables
    tables = {name: table_rows(name, session, f, calendar, work)
              for name in ('open_work', 'deadlines', 'rates_process', 'rates_step', 'rates_team', 'rates_person',
                           'completion', 'weekly')}
    completed = sum(r['completed'] for r in tables['rates_process'])
    on_time = sum(r['on_time'] for r in tables['rates_process'])
    closed = sum(r['count'] for r in tables['completion'])
    summary = {'waiting': sum(r['waiting'] for r in tables['open_work']),
               'soon': sum(r['soon'] for r in tables['open_work']),
               'overdue': sum(r['overdue'] for r in tables['open_work']),
               'on_time_rate': on_time / completed if completed else None,
               'spot_share': tables['completion'][0]['share'], 'closed': closed}
    charts = {'completion': {'labels': [r['bucket_label'] for r in tables['completion']],
                             'counts': [r['count'] for r in tables['completion']]},
              'weekly': {'labels': [r['week'].isoformat() for r in tables['weekly']],
                         'completed': [r['completed'] for r in tables['weekly']],
                         'rate': [None if r['rate'] is None else round(r['rate'] * 100, 1) for r in tables['weekly']]},
              'process': {'labels': [r['label'] for r in tables['rates_process']],
                          'rate': [None if r['rate'] is None else round(r['rate'] * 100, 1)
                                   for r in tables['rates_process']]},
              'text': {'completed': gettext('Tasks completed'), 'rate': gettext('On-time rate (%)'),
                       'cases': gettext('Number of cases')}}
    return render_template('supervision/dashboard.html', f=f, tables=tables, columns=COLUMNS, summary=summary,
                           charts=charts, **_filter_choices(session))


@bp.get('/export/<name>.<fmt>')
def export(name, fmt):
    """Any table of the oversight pages as CSV or XLSX, with the page's filters."""
    if name not in COLUMNS or fmt not in FORMATS:
        abort(404)
    session = get_session()
    f = read_filters(session)
    rows = table_rows(name, session, f, load_calendar(session))
    columns = [(key, str(title)) for key, title in COLUMNS[name]]
    return table_response(f'{name}-{f.start or ""}-{f.end or ""}'.strip('-'), columns, rows, fmt)


@bp.get('/heatmap')
def heatmap():
    """The diagram of a process with, on each step, how many wait now and the mean and p90 time spent."""
    session = get_session()
    f = read_filters(session)
    definitions = latest_definitions(session)
    if not definitions:
        abort(404)
    key = f.process or definitions[0].key
    loaded = loaded_definition(latest_definition(session, key))
    steps = stats.heatmap(session, key, f)
    names = {spec_id: element_name(loaded, spec_id, spec_id) for spec_id in steps}
    rows = sorted(({'step': s, 'step_name': names.get(s, s), **v} for s, v in steps.items()),
                  key=lambda r: (-r['waiting'], r['step']))
    return render_template('supervision/heatmap.html', f=f, key=key, rows=rows, overlays=_overlays(steps),
                           labels={'waiting': gettext('waiting'), 'mean': gettext('mean'), 'p90': gettext('p90')},
                           **_filter_choices(session))


def _hours_text(hours):
    """Elapsed hours as '25 min', '5.5h' or, from two days on, '8.4d'."""
    if hours is None:
        return None
    if hours < 1:
        return gettext('%(n)s min', n=round(hours * 60))
    return gettext('%(n)sd', n=f'{hours / 24:.1f}') if hours >= 48 else gettext('%(n)sh', n=f'{hours:.1f}')


def _overlays(steps):
    """Per step: the overlay's figures and a heat level 0..3 (its mean time spent against the slowest step)."""
    slowest = max((v['mean_hours'] or 0 for v in steps.values()), default=0)
    result = {}
    for spec_id, v in steps.items():
        share = (v['mean_hours'] or 0) / slowest if slowest else 0
        result[spec_id] = {'waiting': v['waiting'], 'completed': v['completed'], 'mean': _hours_text(v['mean_hours']),
                           'p90': _hours_text(v['p90_hours']), 'heat': min(int(share * 4), 3)}
    return result


@bp.get('/heatmap/<key>.bpmn')
def heatmap_diagram(key):
    """The BPMN XML of the latest version of process `key` (for the heatmap viewer)."""
    definition = latest_definition(get_session(), key, required=False)
    if definition is None:
        abort(404)
    return Response(loaded_definition(definition).bpmn_xml, mimetype='application/xml')


@bp.get('/refusals')
def refusal_register():
    """The 否定报备 register: every refusal with reason, basis, who refused and who confirmed."""
    session = get_session()
    f = read_filters(session)
    rows = table_rows('refusals', session, f, None)
    return render_template('supervision/refusals.html', f=f, rows=rows, **_filter_choices(session))


@bp.get('/audits')
def audit_register():
    """内审: the decided cases drawn for the internal audit and what the auditors found."""
    session = get_session()
    f = read_filters(session)
    rows = table_rows('audits', session, f, None)
    return render_template('supervision/audits.html', f=f, rows=rows, columns=COLUMNS['audits'],
                           **_filter_choices(session))


# --- the 电子监察 feed ---

def _feed_token_ok() -> bool:
    expected = current_app.config.get('SUPERVISION_FEED_TOKEN')
    if not expected:
        abort(404)      # the feed is off until a token is configured
    given = request.headers.get('Authorization', '')
    return given.startswith('Bearer ') and hmac.compare_digest(given[7:].encode(), str(expected).encode())


@bp.get('/feed.json')
def feed_json():
    """Window work events after ?after=<id> (at most ?limit=, ≤ 1000), for a service with the token."""
    if not _feed_token_ok():
        response = jsonify({'error': 'unauthorized', 'message': 'A valid service token is required.'})
        response.status_code = 401
        response.headers['WWW-Authenticate'] = 'Bearer'
        return response
    after, limit = request.args.get('after', '0'), request.args.get('limit', '500')
    if not (after.isdigit() and limit.isdigit() and len(after) <= 18 and len(limit) <= 6) or int(limit) < 1:
        return jsonify({'error': 'bad_request',
                        'message': 'after and limit must be whole numbers (limit at least 1).'}), 400
    session = get_session()
    try:
        f = read_filters(session) if any(request.args.get(k) for k in ('process', 'start', 'end')) \
            else stats.Filters()
    except DomainError as exc:
        return jsonify({'error': 'bad_request', 'message': exc.message % exc.params if exc.params else exc.message}), 400
    events = feed.events(session, load_calendar(session), after=int(after), limit=int(limit), f=f)
    response = jsonify({'events': events, 'next_after': events[-1]['id'] if events else int(after),
                        'limit': min(int(limit), feed.MAX_LIMIT)})
    response.headers['Cache-Control'] = 'no-store'
    return response


def init_app(app):
    """Register the blueprint and its navigation entries (see app/nav.py)."""
    app.register_blueprint(bp)
    nav.register(app, nav.NavItem('supervision.dashboard', lazy_gettext('Dashboard'), 'speedometer2', 'oversight',
                                  may_oversee, order=10))
    nav.register(app, nav.NavItem('supervision.heatmap', lazy_gettext('Process heatmap'), 'diagram-3', 'oversight',
                                  may_oversee, order=20))
    nav.register(app, nav.NavItem('supervision.audit_register', lazy_gettext('Internal audit'), 'clipboard-check',
                                  'oversight', may_see_audits, order=40))
    nav.register(app, nav.NavItem('supervision.refusal_register', lazy_gettext('Refusal register'), 'journal-x',
                                  'oversight', may_oversee, order=30))
