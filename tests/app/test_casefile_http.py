"""The case file: scanned materials and the comment thread, through the real routes."""
import io

from sqlalchemy import select

from workflows.models import AuditEvent, CaseAttachment, CaseComment, InstanceStatus, ProcessInstance

from .test_withdrawal_http import register

PDF = b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'
PNG = b'\x89PNG\r\n\x1a\n' + b'\x00' * 64


def upload(client, case_id, data, name='scan.pdf', label='身份证复印件'):
    return client.post(f'/cases/{case_id}/attachments', content_type='multipart/form-data',
                       data={'label': label, 'file': (io.BytesIO(data), name)})


def test_clerk_uploads_a_scan_which_is_listed_audited_and_downloadable(login, session_factory):
    clerk = login('clerk')
    case_id = register(clerk)
    r = upload(clerk, case_id, PDF, name='../../etc/身份证.pdf')
    assert r.status_code == 302
    with session_factory() as s:
        item = s.scalars(select(CaseAttachment)).one()
        assert (item.filename, item.content_type, item.size, item.uploaded_by is not None) == \
            ('身份证.pdf', 'application/pdf', len(PDF), True)
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == 'attachment_add')).one()
        assert event.instance_id == case_id and event.data['sha256'] == item.sha256
    page = clerk.get(f'/cases/{case_id}').text
    assert '身份证复印件' in page and '身份证.pdf' in page and '上传材料' in page
    # a colleague at the same step reads it: same bytes, as a download that is never sniffed
    r = login('clerk2').get(f'/cases/{case_id}/attachments/{item.id}')
    assert r.status_code == 200 and r.data == PDF and r.mimetype == 'application/pdf'
    assert r.headers['Content-Disposition'].startswith('attachment;')
    assert r.headers['X-Content-Type-Options'] == 'nosniff'


def test_the_type_is_read_from_the_bytes_not_the_name(login, snapshot):
    clerk = login('clerk')
    case_id = register(clerk)
    before = snapshot()
    r = upload(clerk, case_id, b'<script>alert(1)</script>', name='scan.pdf')
    assert r.status_code == 422 and '只接受 PDF、JPEG 和 PNG 格式的扫描件' in r.text
    assert snapshot() == before
    assert upload(clerk, case_id, PNG, name='photo.pdf').status_code == 302   # a PNG named .pdf is a PNG


def test_missing_label_empty_file_and_oversized_file_are_refused_with_nothing_stored(app, login, snapshot):
    clerk = login('clerk')
    case_id = register(clerk)
    before = snapshot()
    r = upload(clerk, case_id, PDF, label='  ')
    assert r.status_code == 422 and 'data-error-for="label"' in r.text
    r = upload(clerk, case_id, b'')
    assert r.status_code == 422 and 'data-error-for="file"' in r.text
    app.config['ATTACHMENT_MAX_BYTES'] = 1024
    r = upload(clerk, case_id, PDF + b'0' * 2048)
    assert r.status_code == 422 and '1024' not in r.text and 'data-error-for="file"' in r.text
    r = upload(clerk, case_id, PDF + b'0' * 200_000)      # far above the limit: refused before it is read
    assert r.status_code == 413
    assert snapshot() == before


def test_uploads_take_more_than_the_form_limit_but_only_on_the_upload_route(app, login):
    app.config['MAX_CONTENT_LENGTH'] = 64 * 1024
    clerk = login('clerk')
    case_id = register(clerk)
    assert upload(clerk, case_id, PDF + b'0' * 200_000).status_code == 302
    r = clerk.post(f'/cases/{case_id}/comments', data={'body': 'x' * 100_000})
    assert r.status_code == 413


def test_only_business_staff_on_an_open_case_may_upload(login, session_factory, snapshot):
    clerk, supervisor = login('clerk'), login('supervisor')
    case_id = register(clerk)
    before = snapshot()
    assert upload(supervisor, case_id, PDF).status_code == 403
    assert 'id="upload-form"' not in supervisor.get(f'/cases/{case_id}').text
    assert snapshot() == before
    with session_factory() as s:
        s.get(ProcessInstance, case_id).status = InstanceStatus.completed
        s.commit()
    before = snapshot()
    r = upload(clerk, case_id, PDF)
    assert r.status_code == 409 and '已办结' in r.text
    assert snapshot() == before


def test_a_stranger_cannot_read_or_add_to_a_case_file(login, session_factory, snapshot):
    clerk = login('clerk')
    case_id = register(clerk)
    assert upload(clerk, case_id, PDF).status_code == 302
    with session_factory() as s:
        attachment_id = s.scalars(select(CaseAttachment.id)).one()
    officer = login('officer')       # enforcement staff do not see withdrawal cases
    before = snapshot()
    assert officer.get(f'/cases/{case_id}/attachments/{attachment_id}').status_code == 403
    assert upload(officer, case_id, PDF).status_code == 403
    assert officer.post(f'/cases/{case_id}/comments', data={'body': '看看'}).status_code == 403
    assert snapshot() == before
    assert clerk.get(f'/cases/{case_id}/attachments/{attachment_id + 1}').status_code == 404


def test_comment_thread(login, session_factory, snapshot):
    clerk, supervisor = login('clerk'), login('supervisor')
    case_id = register(clerk)
    assert clerk.post(f'/cases/{case_id}/comments', data={'body': '申请人下午补交购房合同原件'}).status_code == 302
    assert supervisor.post(f'/cases/{case_id}/comments', data={'body': '请于今日办结'}).status_code == 302
    page = clerk.get(f'/cases/{case_id}').text
    assert page.index('申请人下午补交购房合同原件') < page.index('请于今日办结') and '卫监察' in page
    with session_factory() as s:
        assert [c.body for c in s.scalars(select(CaseComment).order_by(CaseComment.id))] == \
            ['申请人下午补交购房合同原件', '请于今日办结']
        assert s.scalar(select(AuditEvent.id).where(AuditEvent.action == 'comment_add').limit(1)) is not None
    before = snapshot()
    r = clerk.post(f'/cases/{case_id}/comments', data={'body': '   '})
    assert r.status_code == 422 and 'data-error-for="body"' in r.text
    assert clerk.post(f'/cases/{case_id}/comments', data={'body': 'x' * 2001}).status_code == 422
    assert snapshot() == before
