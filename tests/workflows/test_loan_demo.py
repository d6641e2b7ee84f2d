"""The demo data set: households that exercise each rule, and a loan waiting at each stage."""
from sqlalchemy import select

from workflows import seed
from workflows.models import HumanTask, ProcessDefinition, ProcessInstance, TaskState


def test_demo_loans_wait_at_every_stage(session):
    seed.seed_demo_cases(session)
    session.commit()
    loans = session.scalars(select(ProcessInstance).join(ProcessDefinition).where(ProcessDefinition.key == 'loan')).all()
    waiting = set(session.scalars(select(HumanTask.spec_id).where(
        HumanTask.instance_id.in_([i.id for i in loans]), HumanTask.state == TaskState.ready)))
    assert {'accept', 'await_materials', 'initial_review', 'interview_cosign', 'guarantee', 'valuation', 'final_review',
            'decide_approver', 'decide_director', 'committee_vote_1', 'refusal_report', 'sign_contract', 'disburse',
            'disburse_check'} <= waiting
    assert {i.data['prelim']['binding'] for i in loans if 'prelim' in i.data} == {'balance', 'capacity', 'ltv',
                                                                                   'ceiling'}
    assert {i.data['term']['bound_by'] for i in loans if 'term' in i.data} >= {'policy', 'borrower'}
    refused = [i.data['refusal_reason'] for i in loans if i.data.get('eligibility') == 'refuse']
    assert any('未结清' in r for r in refused) and any('不满6个月' in r for r in refused)
