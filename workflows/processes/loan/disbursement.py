"""The disbursement: a cashier prepares the payment; a second confirms it, opening a fund loan of record."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ...errors import N_
from ...models import FundLoan, LoanDisbursement
from ...operations import effect, refuse
from ...records import to_fen
from .schedule import YUAN


@effect('loan.disburse', title='放款（待复核）', result={
    'amount': {'title': '放款金额（元）', 'x-title-en': 'Amount (yuan)', **YUAN},
    'payee_account': {'title': '收款账户', 'x-title-en': 'Paid to account'},
})
def loan_disburse(ctx, amount, limit, payee_name, payee_account, seller_account, voucher_no, paid_on):
    """Prepare the payment: to the seller's account of record, never above the approved amount."""
    fen_amount, limit_fen = to_fen(amount, 'amount'), to_fen(limit, 'limit')
    if fen_amount > limit_fen:
        refuse(N_('More than the approved loan (%(limit)s yuan).'), param='amount', limit=f'{limit_fen / 100:,.2f}')
    if str(payee_account).replace(' ', '') != str(seller_account).replace(' ', ''):
        refuse(N_("The loan is paid only to the seller's account given in the application."), param='payee_account')
    row = ctx.session.scalar(select(LoanDisbursement).where(LoanDisbursement.instance_id == ctx.instance.id))
    if row is None:
        row = LoanDisbursement(instance_id=ctx.instance.id)
        ctx.session.add(row)
    row.amount, row.payee_name, row.payee_account = fen_amount, str(payee_name), str(payee_account)
    row.voucher_no, row.paid_on, row.prepared_by = str(voucher_no), date.fromisoformat(str(paid_on)), ctx.actor.user_id
    row.checked_by, row.confirmed = None, False
    ctx.session.flush()
    return {'amount': fen_amount / 100, 'payee_account': str(payee_account)}


@effect('loan.confirm_disbursement', title='放款复核确认', result={
    'contract_no': {'title': '借款合同编号', 'x-title-en': 'Contract no.'},
    'amount': {'title': '已放款金额（元）', 'x-title-en': 'Disbursed (yuan)', **YUAN},
})
def loan_confirm_disbursement(ctx, contract_no, borrower_id_number, spouse_id_number, term_years, rate, opened_on):
    """The second person confirms the payment: the loan becomes an open fund loan of record."""
    row = ctx.session.scalar(select(LoanDisbursement).where(LoanDisbursement.instance_id == ctx.instance.id))
    if row is None or row.confirmed:
        refuse(N_('There is no prepared payment to confirm.'))
    row.checked_by, row.confirmed = ctx.actor.user_id, True
    ctx.session.add(FundLoan(contract_no=str(contract_no), id_number=str(borrower_id_number),
                             co_borrower_id_number=str(spouse_id_number) or None, amount=row.amount,
                             term_months=int(term_years) * 12, annual_rate=str(rate),
                             opened_on=date.fromisoformat(str(opened_on)), instance_id=ctx.instance.id))
    ctx.session.flush()
    return {'contract_no': str(contract_no), 'amount': row.amount / 100}
