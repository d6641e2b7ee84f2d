"""The case list: search by case number, name, ID or account number; filters; sortable columns."""
import re
from datetime import datetime

import pytest
from sqlalchemy import select, update

from workflows.models import InstanceStatus, ProcessInstance

from .test_withdrawal_http import register


def shown(client, query=''):
    r = client.get('/cases/' + query)
    assert r.status_code == 200, r.text
    return re.findall(r'data-case="([A-Z0-9]+)"', r.text)


@pytest.fixture
def two_cases(login, session_factory):
    """张伟's purchase withdrawal (registered 2026-01-10 in Shanghai) and 刘芳's rent one (2026-02-01)."""
    clerk = login('clerk')
    first = register(clerk)
    second = register(clerk, account_no='100000000002', withdrawal_type='rent', amount='1200')
    with session_factory() as s:
        # 2026-01-09 17:30 UTC is 01:30 on 2026-01-10 in Shanghai: the center's day decides
        s.execute(update(ProcessInstance).where(ProcessInstance.id == first)
                  .values(started_at=datetime(2026, 1, 9, 17, 30)))
        s.execute(update(ProcessInstance).where(ProcessInstance.id == second)
                  .values(started_at=datetime(2026, 2, 1, 2, 0), status=InstanceStatus.completed, due_date=None))
        keys = {i: s.get(ProcessInstance, i).business_key for i in (first, second)}
        s.commit()
    return clerk, keys[first], keys[second]


@pytest.mark.parametrize('text', ['张伟', '张', '100000000001', '310104199203154512', '310104199203154512'.lower()])
def test_search_finds_a_case_by_name_account_or_id_number(two_cases, text):
    clerk, first, second = two_cases
    assert shown(clerk, f'?q={text}') == [first]


def test_search_by_case_number_and_nothing_for_a_part_of_an_account_number(two_cases):
    clerk, first, second = two_cases
    assert shown(clerk, f'?q={second[-6:]}') == [second]
    assert shown(clerk, f'?q={first.lower()}') == [first]
    assert shown(clerk, '?q=10000000000') == []           # account and ID numbers match whole
    assert shown(clerk, '?q=%25') == []                    # a LIKE wildcard is only a character


def test_filters_by_process_type_status_and_registration_day(two_cases):
    clerk, first, second = two_cases
    assert set(shown(clerk, '?process=withdrawal')) == {first, second}
    assert shown(clerk, '?process=loan') == []
    assert shown(clerk, '?type=withdrawal:rent') == [second]
    assert shown(clerk, '?type=withdrawal:rent&process=loan') == []
    assert shown(clerk, '?status=completed') == [second]
    assert shown(clerk, '?status=running') == [first]
    assert shown(clerk, '?from=2026-01-10&to=2026-01-10') == [first]
    assert shown(clerk, '?to=2026-01-09') == []
    assert shown(clerk, '?from=2026-01-11&to=2026-02-01') == [second]


def test_type_options_come_from_the_process_forms(two_cases):
    clerk = two_cases[0]
    page = clerk.get('/cases/').text
    assert '<option value="withdrawal:purchase" >购买自住住房（01）</option>' in page
    assert '<option value="withdrawal:death" >职工死亡或被宣告死亡（08）</option>' in page
    english = clerk.get('/cases/?lang=en').text
    assert 'Buying a home (01)' in english


def test_list_shows_the_declared_fields_with_money_formatted(two_cases, session_factory):
    clerk, first, second = two_cases
    with session_factory() as s:    # the case title (an expression of the model) formats money the same way
        assert s.scalar(select(ProcessInstance.title).where(ProcessInstance.business_key == first)) \
            == '张伟 · 提取 5,000.00 元'
    row = re.search(rf'data-case="{first}">(.*?)</tr>', clerk.get('/cases/').text, re.S).group(1)
    assert '购买自住住房（01）' in row and '5,000.00 元' in row and '张伟' in row


@pytest.mark.parametrize('query, field, message', [
    ('?from=2026-02-30', 'from', 'Not a date: 2026-02-30'),
    ('?to=yesterday', 'to', 'Not a date: yesterday'),
    ('?from=２０２６-01-01', 'from', 'Not a date'),
    ('?from=2026-03-01&to=2026-01-01', 'to', 'The end of the period is before its start.'),
    ('?type=withdrawal:lottery', 'type', 'Unknown case type.'),
    ('?type=nosuch:x', 'type', 'Unknown case type.'),
    ('?status=lost', 'status', 'Unknown status.'),
    ('?process=nosuch', 'process', 'Unknown process.'),
])
def test_a_bad_filter_value_gets_a_message_and_no_list(two_cases, query, field, message):
    clerk = two_cases[0]
    r = clerk.get('/cases/' + query + '&lang=en')
    assert r.status_code == 400
    assert re.search(rf'data-error-for="{field}">{re.escape(message)}', r.text)
    assert 'id="case-list"' not in r.text


def test_columns_sort_both_ways_and_unknown_keys_fall_back(two_cases):
    clerk, first, second = two_cases
    assert shown(clerk) == [second, first]                       # newest first
    assert shown(clerk, '?sort=registered') == [first, second]
    assert shown(clerk, '?sort=case') == sorted([first, second])
    assert shown(clerk, '?sort=-case') == sorted([first, second], reverse=True)
    assert shown(clerk, '?sort=status') == [first, second]       # running before closed
    assert shown(clerk, '?sort=-status') == [second, first]
    assert shown(clerk, '?sort=due')[0] == first and shown(clerk, '?sort=-due')[0] == first   # no deadline: last
    assert shown(clerk, '?sort=started_at;drop table x') == [second, first]


def test_sorting_keeps_the_filters_and_paging_keeps_both(app, two_cases):
    clerk, first, second = two_cases
    page = clerk.get('/cases/?process=withdrawal&sort=case').text
    link = re.search(r'data-sort="case" href="([^"]+)"', page).group(1).replace('&amp;', '&')
    assert 'process=withdrawal' in link and 'sort=-case' in link
    assert 'name="sort" value="case"' in page                    # the search form keeps the order too
    app.config['PAGE_SIZE'] = 1
    page = clerk.get('/cases/?process=withdrawal&sort=case').text
    pages = [p.replace('&amp;', '&') for p in re.findall(r'class="page-link" href="([^"]+)"', page)]
    assert all('process=withdrawal' in p and 'sort=case' in p for p in pages) and len(pages) == 2
    assert shown(clerk, '?process=withdrawal&sort=case&page=2') == [sorted([first, second])[1]]


def test_english_mode_names_processes_and_types_in_english(two_cases):
    clerk, first, second = two_cases
    page = clerk.get('/cases/?lang=en').text
    row = re.search(rf'data-case="{first}">(.*?)</tr>', page, re.S).group(1)
    assert 'Housing provident fund withdrawal' in row and '住房公积金提取' not in row
    assert '<optgroup label="Housing provident fund withdrawal">' in page
    assert 'Housing provident fund withdrawal' in clerk.get(f'/cases/?lang=en&q={first}').text
