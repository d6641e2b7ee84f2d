"""The task pool and inbox show each case's declared fields; task and case pages show earlier opinions."""
import re
from datetime import date

from sqlalchemy import select

from workflows.deadlines import local_date
from workflows.models import Substitution, User, utcnow
from workflows.processes import loan

from .test_loan_http import _fields

from .test_withdrawal_http import ready_task, register


def row(html, task_id):
    return re.search(rf'data-task-id="{task_id}".*?</tr>', html, re.S).group(0)


def accepted(login, session_factory, **overrides):
    clerk = login('clerk')
    case_id = register(clerk, **overrides)
    clerk.post(f'/tasks/{ready_task(session_factory, case_id, "accept")}',
               data={'materials_complete': 'true', 'notice_note': '材料已核对原件'})
    return case_id, ready_task(session_factory, case_id, 'review')


def test_pool_and_inbox_show_the_type_and_the_amount(login, session_factory):
    case_id, review = accepted(login, session_factory, amount='12345.6')
    reviewer = login('reviewer')
    pooled = row(reviewer.get('/tasks/queue').text, review)
    assert '提取事项' in pooled and '购买自住住房（01）' in pooled and '12,345.60 元' in pooled
    reviewer.post(f'/tasks/{review}/claim')
    mine = row(reviewer.get('/tasks/').text, review)
    assert '购买自住住房（01）' in mine and '12,345.60 元' in mine
    english = row(reviewer.get('/tasks/?lang=en').text, review)
    assert 'Buying a home (01)' in english and '12,345.60 yuan' in english


def test_the_loan_pool_shows_the_amount_asked(login, session_factory):
    with session_factory() as session:
        loan.add_demo_households(session, date.today())
        session.commit()
    r = login('clerk').post('/cases/new/loan', data=_fields({**loan.STANDARD_APPLICATION, 'amount': 456789}))
    case_id = int(r.headers['Location'].rsplit('/', 1)[1])
    accept = ready_task(session_factory, case_id, 'accept')
    assert '申请贷款金额（元）</span> <span class="text-nowrap">456,789.00 元</span>' in row(login('clerk').get('/tasks/queue').text, accept)


def test_later_steps_see_each_earlier_opinion_with_who_and_when(login, session_factory):
    case_id, review = accepted(login, session_factory, amount='60000')    # above the approver's threshold
    reviewer = login('reviewer')
    page = reviewer.get(f'/tasks/{review}').text
    panel = re.search(r'id="opinions".*?</ol>', page, re.S).group(0)
    assert '受理' in panel and '材料已核对原件' in panel and '告知说明' in panel
    reviewer.post(f'/tasks/{review}/claim')
    assert reviewer.post(f'/tasks/{review}', data={'decision': 'approve', 'reason': '符合购房提取条件',
                                                   'basis': '条例第二十四条'}).status_code == 302
    approve = ready_task(session_factory, case_id, 'approve')
    page = login('approver').get(f'/tasks/{approve}').text
    panel = re.search(r'id="opinions".*?</ol>', page, re.S).group(0)
    review_entry = re.search(rf'data-opinion-of="{review}".*?</li>', panel, re.S).group(0)
    assert '准予提取' in review_entry and '符合购房提取条件' in review_entry and '条例第二十四条' in review_entry
    with session_factory() as s:
        assert s.scalar(select(User.full_name).where(User.username == 'reviewer')) in review_entry
    assert panel.index('材料已核对原件') < panel.index('符合购房提取条件')          # in the order given
    case_page = login('clerk').get(f'/cases/{case_id}').text
    assert '符合购房提取条件' in re.search(r'id="opinions".*?</ol>', case_page, re.S).group(0)


def test_a_completed_step_shows_only_the_opinions_before_it(login, session_factory):
    case_id, review = accepted(login, session_factory)
    reviewer = login('reviewer')
    reviewer.post(f'/tasks/{review}/claim')
    reviewer.post(f'/tasks/{review}', data={'decision': 'approve', 'reason': '我的审核意见'})
    page = reviewer.get(f'/tasks/{review}').text
    assert '材料已核对原件' in page and f'data-opinion-of="{review}"' not in page


def test_a_backup_s_opinion_says_for_whom(login, session_factory):
    case_id, review = accepted(login, session_factory)
    login('reviewer').post(f'/tasks/{review}/claim')
    with session_factory() as s:
        absent, backup = (s.scalar(select(User).where(User.username == u)) for u in ('reviewer', 'reviewer2'))
        today = local_date(utcnow())
        s.add(Substitution(absent_id=absent.id, backup_id=backup.id, starts_on=today, ends_on=today, created_by=absent.id))
        s.commit()
        names = absent.full_name, backup.full_name
    r = login('reviewer2').post(f'/tasks/{review}', data={'decision': 'approve', 'reason': '代为审核'})
    assert r.status_code == 302, r.text
    page = login('clerk').get(f'/cases/{case_id}').text
    entry = re.search(rf'data-opinion-of="{review}".*?</li>', page, re.S).group(0)
    assert f'{names[1]}（代{names[0]}）' in entry and '代为审核' in entry


def test_an_english_task_heading_names_the_step_once(login, session_factory):
    case_id, review = accepted(login, session_factory)
    heading = re.search(r'<h1[^>]*>(.*?)</h1>', login('reviewer').get(f'/tasks/{review}?lang=en').text, re.S).group(1)
    assert heading.count('Review') == 1 and '<small' not in heading      # the form's title equals the step's name


def test_english_lists_of_choices_use_english_commas(login, session_factory):
    case_id, review = accepted(login, session_factory)
    page = login('reviewer').get(f'/cases/{case_id}?lang=en').text
    assert '>Applicant ID, Purchase contract or title deed</dd>' in page        # the materials handed in
    assert '申请人身份证件、购房合同' not in page


def test_the_completion_message_names_the_step_in_english(login, session_factory):
    case_id, review = accepted(login, session_factory)
    reviewer = login('reviewer')
    reviewer.post(f'/tasks/{review}/claim')
    page = reviewer.post(f'/tasks/{review}?lang=en', data={'decision': 'approve', 'reason': '齐全'},
                         follow_redirects=True).text
    assert 'Step &#34;Review&#34; completed' in page
