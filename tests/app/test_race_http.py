"""Two clients post the same task at the same moment, many times: one 302, one 409, one step."""
import threading

import pytest
from sqlalchemy import func, select

from workflows.models import AuditEvent, HumanTask

from .test_withdrawal_http import ready_task, register

ROUNDS = 10


def _post(client, url, data, barrier, statuses):
    barrier.wait()
    statuses.append(client.post(url, data=data).status_code)


@pytest.mark.slow
def test_concurrent_http_completions(login, session_factory):
    clerk, clerk2 = login('clerk'), login('clerk2')
    pairs = [(account, kind) for account in ('100000000001', '100000000002', '100000000003')
             for kind in ('purchase', 'build', 'repay_loan', 'rent', 'hardship')]   # one open case per type and person
    for account_no, kind in pairs[:ROUNDS]:
        case_id = register(clerk, account_no=account_no, withdrawal_type=kind, amount='100')
        task_id = ready_task(session_factory, case_id, 'accept')
        barrier, statuses = threading.Barrier(2), []
        threads = [threading.Thread(target=_post, args=(c, f'/tasks/{task_id}', {'materials_complete': 'true'},
                                                        barrier, statuses)) for c in (clerk, clerk2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(statuses) == [302, 409], statuses
        with session_factory() as s:
            reviews = s.scalar(select(func.count(HumanTask.id)).where(HumanTask.instance_id == case_id,
                                                                      HumanTask.spec_id == 'review'))
            completions = s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.task_id == task_id,
                                                                           AuditEvent.action == 'complete'))
        assert (reviews, completions) == (1, 1)
