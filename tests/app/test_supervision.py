"""Supervision pages over HTTP: who may see them, filters, exports, the heatmap, the register, the feed."""
import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from tests.oversight_history import RANGE, seed_history
from tests.workflows.helpers import complete, register

PAGES = ['/supervision/', '/supervision/heatmap', '/supervision/refusals', '/supervision/export/open_work.csv',
         '/supervision/export/rates_person.xlsx', '/supervision/heatmap/withdrawal.bpmn']
RANGE_ARGS = f'start={RANGE[0].isoformat()}&end={RANGE[1].isoformat()}'


@pytest.fixture
def history(session):
    return seed_history(session)


def _csv(response):
    assert response.status_code == 200, response.text
    assert response.headers['Content-Type'].startswith('text/csv')
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip('\ufeff'))))


@pytest.mark.parametrize('username', ['clerk', 'reviewer', 'admin', 'auditor'])
def test_only_supervisors_and_directors_may_look(login, username):
    client = login(username)
    for page in PAGES:
        assert client.get(page).status_code == 403, page
    nav = client.get('/cases/').text
    assert 'href="/supervision/"' not in nav and 'href="/supervision/heatmap"' not in nav
    assert ('href="/supervision/audits"' in nav) == (username == 'auditor')


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get('/supervision/')
    assert response.status_code == 302 and '/auth/login' in response.headers['Location']


def test_supervisor_dashboard_shows_the_figures_and_the_nav(login, history):
    client = login('supervisor')
    html = client.get(f'/supervision/?{RANGE_ARGS}&lang=en').text
    for endpoint in ('/supervision/', '/supervision/heatmap', '/supervision/refusals'):
        assert f'href="{endpoint}"' in html
    # the on-time table by person: 甲一 2/2, 甲二 0/1, 乙一 1/2
    section = html[html.index('id="table-rates_person"'):]
    section = section[:section.index('</section>')]
    assert re.search(r'甲一</td><td class="text-end">2</td><td class="text-end">2</td>', section)
    assert re.search(r'乙一</td><td class="text-end">2</td><td class="text-end">1</td><td class="text-end">1</td>'
                     r'<td class="text-end">50.0%', section)
    data = json.loads(re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)[1])
    assert data['completion']['counts'] == [2, 1, 1, 2]
    assert 'data-summary="overdue"' in html
    assert login('director').get('/supervision/').status_code == 200


def test_team_filter_narrows_the_tables(login, history):
    client = login('supervisor')
    rows = _csv(client.get(f'/supervision/export/rates_process.csv?{RANGE_ARGS}&team={history.team_a.id}&lang=en'))
    assert rows == [['Process', 'Completed with a time limit', 'Completed on time', 'Late', 'On-time rate'],
                    ['住房公积金提取', '3', '2', '1', '0.6667']]


@pytest.mark.parametrize('query, message', [
    ('start=2026-13-01', '2026-13-01 is not a date'),
    ('start=2026-10-02&end=2026-10-01', 'The start date is after the end date.'),
    ('start=2020-01-01&end=2026-01-01', 'longer than three years'),
    ('process=nothing', 'No process named nothing is deployed.'),
    ('team=999999', 'There is no team 999999.'),
    ('person=abc', 'There is no user abc.'),
])
def test_bad_filters_are_refused_precisely(login, snapshot, query, message):
    client = login('supervisor')
    before = snapshot()
    for page in ('/supervision/', '/supervision/export/weekly.csv', '/supervision/refusals'):
        response = client.get(f'{page}?{query}&lang=en')
        assert response.status_code == 400, (page, response.status_code)
        assert message in response.text
    assert snapshot() == before


def test_every_table_exports_as_csv_and_xlsx(login, history):
    client = login('supervisor')
    names = ['open_work', 'deadlines', 'rates_process', 'rates_step', 'rates_team', 'rates_person', 'completion',
             'weekly', 'refusals', 'feed']
    for name in names:
        rows = _csv(client.get(f'/supervision/export/{name}.csv?{RANGE_ARGS}'))
        response = client.get(f'/supervision/export/{name}.xlsx?{RANGE_ARGS}')
        assert response.status_code == 200
        assert response.headers['Content-Disposition'].endswith('.xlsx"')
        sheet = load_workbook(io.BytesIO(response.data)).active
        assert [[str(c) if c is not None else '' for c in row] for row in sheet.iter_rows(values_only=True)][0] == rows[0]
        assert sheet.max_row == len(rows), name
    completion = _csv(client.get(f'/supervision/export/completion.csv?{RANGE_ARGS}&process=withdrawal&lang=en'))
    assert [r[1] for r in completion[1:]] == ['2', '1', '1', '1']
    assert client.get('/supervision/export/secrets.csv').status_code == 404
    assert client.get('/supervision/export/weekly.pdf').status_code == 404


def test_export_keeps_formula_like_text_as_text():
    from app.supervision.export import _cell
    assert _cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert _cell(['甲', '乙']) == '甲、乙'


def test_heatmap_page_and_its_diagram(login, history):
    client = login('supervisor')
    html = client.get(f'/supervision/heatmap?process=withdrawal&{RANGE_ARGS}&lang=en').text
    data = json.loads(re.search(r'<script type="application/json" id="heatmap-data">(.*?)</script>', html, re.S)[1])
    assert data['steps']['review']['waiting'] == 2
    assert data['steps']['review']['mean'] == '8.4d'       # (199 h + 205.5 h) / 2 = 202.25 h
    assert data['steps']['accept']['p90'] == '7.0h'
    assert data['steps']['review']['heat'] == 3 and data['steps']['pay']['heat'] == 0
    diagram = client.get('/supervision/heatmap/withdrawal.bpmn')
    assert diagram.status_code == 200 and b'<bpmn:process id="withdrawal"' in diagram.data
    assert client.get('/supervision/heatmap/nothing.bpmn').status_code == 404
    assert client.get('/supervision/heatmap?process=nothing').status_code == 400


def test_refusal_register_page(login, session, user_named):
    clerk = user_named('clerk')
    instance = register(session, clerk)
    complete(session, instance, 'accept', clerk, {'materials_complete': True})
    complete(session, instance, 'review', user_named('reviewer'),
             {'decision': 'reject', 'reason': '购房合同与发票金额不符', 'basis': '本市提取管理办法第八条'})
    html = login('supervisor').get('/supervision/refusals').text
    row = html[html.index(f'data-case="{instance.business_key}"'):]
    row = row[:row.index('</tr>')]
    assert '购房合同与发票金额不符' in row and '本市提取管理办法第八条' in row
    assert user_named('reviewer').full_name in row


def test_feed_is_off_without_a_token_and_refuses_a_wrong_one(app, client, history):
    assert client.get('/supervision/feed.json').status_code == 404
    app.config['SUPERVISION_FEED_TOKEN'] = 'service-token-123'
    for header in ({}, {'Authorization': 'Bearer wrong'}, {'Authorization': 'service-token-123'}):
        response = client.get('/supervision/feed.json', headers=header)
        assert response.status_code == 401 and response.json['error'] == 'unauthorized'


def test_feed_pages_through_window_work(app, client, session, user_named, snapshot):
    app.config['SUPERVISION_FEED_TOKEN'] = 'service-token-123'
    auth = {'Authorization': 'Bearer service-token-123'}
    clerk = user_named('clerk')
    instance = register(session, clerk)
    complete(session, instance, 'accept', clerk, {'materials_complete': True})
    response = client.get('/supervision/feed.json?limit=2', headers=auth)
    assert response.headers['Cache-Control'] == 'no-store'
    first = response.json
    assert len(first['events']) == 2 and first['events'][0]['action'] == 'register'
    assert first['events'][0]['case'] == instance.business_key
    rest = client.get(f'/supervision/feed.json?after={first["next_after"]}', headers=auth).json
    ids = [e['id'] for e in first['events'] + rest['events']]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    done = [e for e in rest['events'] if e['action'] == 'complete']
    assert done and done[0]['step'] == 'accept' and done[0]['actor'] == 'clerk' and done[0]['actor_name'] == clerk.full_name
    assert done[0]['deadline_state'] == 'met' and done[0]['at'].endswith('+08:00')
    assert client.get('/supervision/feed.json?process=loan', headers=auth).json['events'] == []
    before = snapshot()
    for query in ('after=-1', 'limit=0', 'after=x', 'start=2026-99-01'):
        response = client.get(f'/supervision/feed.json?{query}', headers=auth)
        assert response.status_code == 400 and response.json['error'] == 'bad_request', query
    assert snapshot() == before


def test_internal_audit_register_for_auditors_and_supervisors(login, session, user_named):
    from datetime import datetime
    from tests.oversight_history import add_case
    from workflows import runtime
    from workflows.actors import Actor
    from workflows.models import HumanTask
    from workflows.processes.internal_audit import sample_decided_cases
    from sqlalchemy import select
    loan = add_case(session, 'loan', '2026-10-09 09:00', '2026-10-09 15:00', outcome='disbursed')
    audit_case, = sample_decided_cases(session, datetime(2026, 10, 12))
    session.commit()
    task = session.scalars(select(HumanTask).where(HumanTask.instance_id == audit_case.id)).one()
    auditor = user_named('auditor')
    runtime.claim_task(session, task.id, Actor(auditor))
    runtime.complete_task(session, task.id, {'finding': 'issue', 'finding_detail': '面签记录缺少配偶签字',
                                             'audit_basis': '贷款管理办法第十五条'}, Actor(auditor))
    session.commit()
    rows = _csv(login('auditor').get('/supervision/export/audits.csv?start=2026-10-01&end=2026-10-31&lang=en'))
    assert rows[0][:6] == ['Case no.', 'Process', 'Sampling rate (%)', 'Drawn', 'Audit case', 'Result']
    assert rows[1][0] == loan.business_key and rows[1][2] == '100' and rows[1][4] == audit_case.business_key
    assert rows[1][5:] == ['Issue found', auditor.full_name, '面签记录缺少配偶签字', '贷款管理办法第十五条']
    html = login('supervisor').get('/supervision/audits?start=2026-10-01&end=2026-10-31').text
    assert audit_case.business_key in html and '发现问题' in html
    auditor_client = login('auditor')
    assert 'href="/supervision/audits"' in auditor_client.get('/supervision/audits').text
    assert auditor_client.get('/supervision/').status_code == 403
    assert auditor_client.get('/supervision/export/weekly.csv').status_code == 403
    assert login('clerk').get('/supervision/audits').status_code == 403


def test_time_spent_reads_in_minutes_hours_or_days(app):
    from app.supervision.views import _hours_text
    with app.test_request_context('/?lang=en'):
        assert (_hours_text(0.25), _hours_text(5.54), _hours_text(60), _hours_text(None)) == ('15 min', '5.5h', '2.5d', None)
