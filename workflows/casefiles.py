"""The case file beyond the process data: scanned materials (attachments) and the comment thread.

Attachments are kept in a blob table of their own, so a case page lists them without loading them
and a refused upload leaves nothing behind (one transaction, on SQLite and PostgreSQL alike). The
file's type is read from its first bytes, never from the name or the browser's claim, and only the
kinds a scanner produces are taken. Every addition is audited; who may add is decided here.
"""
from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from . import audit
from .errors import Conflict, FormInvalid, N_, NotAllowed
from .models import CaseAttachment, CaseComment, InstanceStatus, ProcessInstance
from .permissions import may_act_on_business

# content type -> the bytes a file of that type starts with
KINDS = {
    'application/pdf': b'%PDF-',
    'image/jpeg': b'\xff\xd8\xff',
    'image/png': b'\x89PNG\r\n\x1a\n',
}
EXTENSIONS = {'application/pdf': '.pdf', 'image/jpeg': '.jpg', 'image/png': '.png'}
MAX_BYTES = 5 * 1024 * 1024      # a scanned page or a few; the web layer's request limit follows it
MAX_COMMENT = 2000
MAX_LABEL = 64
OPEN = (InstanceStatus.running, InstanceStatus.waiting, InstanceStatus.error)


def sniff(data: bytes) -> str | None:
    """The content type `data` starts like, or None when it is none of the accepted kinds."""
    return next((kind for kind, magic in KINDS.items() if data.startswith(magic)), None)


def _safe_name(filename: str, kind: str) -> str:
    """A display name without path parts or control characters, ending in the type's extension."""
    name = re.sub(r'[\x00-\x1f\x7f/\\]', '', (filename or '').rsplit('/', 1)[-1].rsplit('\\', 1)[-1]).strip()
    stem = name.rsplit('.', 1)[0][:100] or 'scan'
    return stem + EXTENSIONS[kind]


def may_add(instance: ProcessInstance, user) -> bool:
    """Whether `user` (who may see the case) may add materials: business staff, while the case is open."""
    return may_act_on_business(user) and instance.status in OPEN


def _check_may_add(instance: ProcessInstance, actor) -> None:
    if not may_act_on_business(actor.user):
        raise NotAllowed(N_('Only staff who handle cases may add materials to a case.'))
    if instance.status not in OPEN:
        raise Conflict(N_('The case is closed; its file can no longer change.'))


def add_attachment(session, instance: ProcessInstance, actor, *, filename: str, data: bytes,
                   label: str, max_bytes: int = MAX_BYTES) -> CaseAttachment:
    """Store one scanned material of `instance`, audited. Refuses empty, oversized and unknown files."""
    _check_may_add(instance, actor)
    label = (label or '').strip()
    errors = {}
    if not label:
        errors['label'] = [(N_('Name the material.'), {})]
    elif len(label) > MAX_LABEL:
        errors['label'] = [(N_('At most %(n)s characters.'), {'n': MAX_LABEL})]
    kind = sniff(data or b'')
    if not data:
        errors['file'] = [(N_('Choose a file to upload.'), {})]
    elif len(data) > max_bytes:
        errors['file'] = [(N_('The file is larger than the limit of %(mb)s MB.'), {'mb': f'{max_bytes / 2**20:g}'})]
    elif kind is None:
        errors['file'] = [(N_('Only PDF, JPEG and PNG scans are accepted.'), {})]
    if errors:
        raise FormInvalid(N_('The material could not be added.'), errors)
    attachment = CaseAttachment(instance_id=instance.id, label=label, filename=_safe_name(filename, kind),
                                content_type=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                                uploaded_by=actor.user_id, uploaded_at=actor.at, data=data)
    session.add(attachment)
    session.flush()
    audit.record(session, actor, 'attachment_add', instance_id=instance.id,
                 data={'attachment': attachment.id, 'label': label, 'file': attachment.filename,
                       'size': attachment.size, 'sha256': attachment.sha256})
    return attachment


def attachments(session, instance_id: int) -> list[CaseAttachment]:
    """The case's materials, oldest first (their bytes are deferred: loaded only when read)."""
    return list(session.scalars(select(CaseAttachment).where(CaseAttachment.instance_id == instance_id).order_by(CaseAttachment.id)))


def add_comment(session, instance: ProcessInstance, actor, body: str) -> CaseComment:
    """Add a remark to the case's thread, audited. Anyone who may see the case may write one."""
    body = (body or '').strip()
    if not body:
        raise FormInvalid(N_('The comment is empty.'), {'body': [(N_('Write a comment.'), {})]})
    if len(body) > MAX_COMMENT:
        raise FormInvalid(N_('The comment is too long.'), {'body': [(N_('At most %(n)s characters.'), {'n': MAX_COMMENT})]})
    comment = CaseComment(instance_id=instance.id, author_id=actor.user_id, body=body, created_at=actor.at)
    session.add(comment)
    session.flush()
    audit.record(session, actor, 'comment_add', instance_id=instance.id,
                 data={'comment': comment.id, 'length': len(body)})
    return comment


def comments(session, instance_id: int) -> list[CaseComment]:
    """The case's thread, oldest first."""
    return list(session.scalars(select(CaseComment).where(CaseComment.instance_id == instance_id)
                                .order_by(CaseComment.id)))
