"""The 13 documents of an enforcement case carried through hearing, collective decision, 公告-free service,
non-payment, reminder and court: each renders with the case number, the party, facts, basis and dates."""
from datetime import date

from workflows.definitions import latest_definition, loaded_definition
from workflows.documents import available, render
from workflows.processes.enforcement import demo

from .test_enforcement_paths import _employers, _hearing_case, on, run  # noqa: F401 -- the fixture too

ALL = ['filing_form', 'inquiry_record', 'evidence_list', 'order_notice', 'advance_notice', 'hearing_notice',
       'hearing_record', 'collective_record', 'decision', 'service_receipt', 'reminder', 'court_application',
       'closing_report']


def test_every_document_of_a_case_carried_to_the_court(session):
    instance = _hearing_case(session)
    loaded = loaded_definition(latest_definition(session, 'enforcement'))
    assert [n for n, _t in available(instance, loaded)] == [f'enforcement.{n}' for n in ALL[:5]]
    run(session, instance, [('schedule_hearing', 'hearing', {'hearing_on': '2026-10-19', 'hearing_place': '本中心听证室'})],
        at=on(date(2026, 10, 9)))
    run(session, instance, [('hold_hearing', 'hearing', {'attended': True, 'hearing_record': '当事人到场陈述申辩',
                                                         'record_signed': True, 'fine_after_hearing': 45000}),
                            ('legal_recheck', 'legal', {'recheck_opinion': '同意'}),
                            ('collective', 'director2', {'participants': '郑主任、冯副主任、曹副主任', 'discussion_record': '一致同意',
                                                         'collective_conclusion': '罚款45000元'}),
                            ('decide', 'director', {**demo.DECIDE[0][2], 'decided_fine': 45000}),
                            ('serve_decision', 'officer', {'service_method': 'left', 'witness': '物业管理员张某'})],
        at=on(date(2026, 10, 19)))
    run(session, instance, [('await_payment', 'officer', {'payment_state': 'unpaid'}),
                            ('remind', 'officer', {'reminder_no': '催告〔2026〕3号', 'reminder_receiver': '王某'})],
        at=on(date(2026, 11, 10)))
    run(session, instance, [('apply_court', 'officer', {'court': '上海市浦东新区人民法院', 'court_application_no': '强执申〔2027〕1号'}),
                            ('court_result', 'officer', {'court_result': 'enforced', 'court_note': '执行完毕'})]
        + demo.CLOSE, at=on(date(2027, 4, 20)))
    assert instance.outcome == 'enforced'
    assert [n for n, _t in available(instance, loaded)] == [f'enforcement.{n}' for n in ALL]
    pages = {n: render(session, instance, loaded, f'enforcement.{n}') for n in ALL}
    for name, (title, html) in pages.items():
        assert instance.business_key in html and '上海某某建筑劳务有限公司' in html and '91310000MA1FL00004' in html, name
    assert '罚款 <span id="intended-fine">50,000.00</span> 元' in pages['advance_notice'][1]
    assert '第三十七条' in pages['decision'][1] and '45,000.00' in pages['decision'][1]
    assert '2026-10-19' in pages['hearing_notice'][1] and '褚听证' in pages['hearing_notice'][1]
    assert '留置送达' in pages['service_receipt'][1] and '物业管理员张某' in pages['service_receipt'][1]
    # served 19 Oct: due 3 Nov; 10 Nov is 7 days late: 45,000 × 3 % × 7 = 9,450 → 54,450 owed
    assert '54,450.00' in pages['reminder'][1] and '2027-04-20' in pages['court_application'][1]
    assert pages['evidence_list'][1].count('<tr><td>') == 2 and '钱执法' in pages['evidence_list'][1]
    assert '经人民法院强制执行完毕' in pages['closing_report'][1] and '举行听证' in pages['closing_report'][1]
    assert pages['filing_form'][0] == '立案审批表' and '钱执法' in pages['filing_form'][1]
