"""The center's records the processes read and write: fund accounts, bans, contributions, homes,
loans, employers, evidence, bank accounts, closures (amounts in fen)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ._base import Base


class FundAccount(Base):
    """An employee's provident fund account (the slice of the core system the rules need)."""
    __tablename__ = 'fund_account'
    account_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    holder_name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    balance: Mapped[int] = mapped_column(Integer)  # in fen (分)
    employer: Mapped[str] = mapped_column(String(128), default='')


class FraudBan(Base):
    """诚信黑名单: a person barred from withdrawals and loans until a date."""
    __tablename__ = 'fraud_ban'
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(200))
    until: Mapped[date] = mapped_column(Date)
    decision_no: Mapped[str] = mapped_column(String(64), default='')     # the penalty decision's number
    scope: Mapped[str] = mapped_column(String(64), default='withdrawal,loan')   # what it bars, comma-separated
    starts: Mapped[date | None] = mapped_column(Date)
    conduct_on: Mapped[date | None] = mapped_column(Date)                # when the conduct happened …
    law_in_force: Mapped[str] = mapped_column(String(200), default='')   # … and the law then in force


# --- loan records ---
# Facts of record the loan (个人住房公积金贷款) needs, and what its disbursement writes. Amounts in fen.

class FundContribution(Base):
    """The current unbroken run of full monthly contributions of a fund account (from the core system)."""
    __tablename__ = 'fund_contribution'
    account_no: Mapped[str] = mapped_column(ForeignKey('fund_account.account_no', ondelete='CASCADE'),
                                            primary_key=True)
    continuous_since: Mapped[date] = mapped_column(Date)   # first month of the run (day 1)
    paid_through: Mapped[date] = mapped_column(Date)       # last month paid in full (day 1)
    monthly_amount: Mapped[int] = mapped_column(Integer)   # employee + employer, in fen


class HomeRecord(Base):
    """A home registered to a person (不动产登记 records)."""
    __tablename__ = 'home_record'
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    address: Mapped[str] = mapped_column(String(200))
    registered_on: Mapped[date] = mapped_column(Date)


class FundLoan(Base):
    """A provident-fund home loan of record: open until `closed_on` (repaid in full)."""
    __tablename__ = 'fund_loan'
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_no: Mapped[str] = mapped_column(String(40), unique=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)                 # the borrower
    co_borrower_id_number: Mapped[str | None] = mapped_column(String(18), index=True)  # the spouse
    amount: Mapped[int] = mapped_column(Integer)
    term_months: Mapped[int] = mapped_column(Integer)
    annual_rate: Mapped[str] = mapped_column(String(12))   # percent, as text ('2.60')
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id'), index=True)


class LoanDisbursement(Base):
    """The payment of an approved loan to the seller: prepared by a cashier, confirmed by a second person."""
    __tablename__ = 'loan_disbursement'
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'), unique=True)
    amount: Mapped[int] = mapped_column(Integer)
    payee_name: Mapped[str] = mapped_column(String(128))
    payee_account: Mapped[str] = mapped_column(String(40))
    voucher_no: Mapped[str] = mapped_column(String(40))
    paid_on: Mapped[date] = mapped_column(Date)
    prepared_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    checked_by: Mapped[int | None] = mapped_column(ForeignKey('app_user.id'))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)


# --- enforcement records ---
# Facts of record the enforcement case (行政执法) needs: employers, their approved deferrals, earlier
# penalties (repeat offences), and the evidence register its investigations write.

class Employer(Base):
    """A contributing employer (缴存单位) of record, by its 统一社会信用代码."""
    __tablename__ = 'employer'
    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    legal_representative: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(200))
    registered_with_center: Mapped[bool] = mapped_column(Boolean, default=True)   # 缴存登记 done
    e_service_consent: Mapped[bool] = mapped_column(Boolean, default=False)       # agreed to electronic service


class EmployerDeferral(Base):
    """An approved 缓缴 (deferred contributions) of an employer, from its first to its last month."""
    __tablename__ = 'employer_deferral'
    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(ForeignKey('employer.credit_code', ondelete='CASCADE'), index=True)
    approved_on: Mapped[date] = mapped_column(Date)
    start: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    basis: Mapped[str] = mapped_column(String(200))


class EmployerPenalty(Base):
    """A final administrative penalty on an employer (for the 裁量基准's repeat-offence criterion)."""
    __tablename__ = 'employer_penalty'
    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(ForeignKey('employer.credit_code', ondelete='CASCADE'), index=True)
    decided_on: Mapped[date] = mapped_column(Date)
    decision_no: Mapped[str] = mapped_column(String(60))
    fine: Mapped[int] = mapped_column(Integer)            # fen
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id'), index=True)


class EvidenceItem(Base):
    """One item of an enforcement case's evidence register (证据清单)."""
    __tablename__ = 'evidence_item'
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey('process_instance.id', ondelete='CASCADE'), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))          # one of the 8 statutory types
    description: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(200))
    collected_on: Mapped[date] = mapped_column(Date)
    collector_id: Mapped[int] = mapped_column(ForeignKey('app_user.id'))
    archive_ref: Mapped[str] = mapped_column(String(200))   # archive reference of the original
    __table_args__ = (UniqueConstraint('instance_id', 'seq', name='uq_evidence_item_seq'),)


# --- records of the fund's payments (workflows/records.py) ---

class BankAccount(Base):
    """A person's own bank account on record, where withdrawals are paid."""
    __tablename__ = 'bank_account'
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    holder_name: Mapped[str] = mapped_column(String(64))
    bank: Mapped[str] = mapped_column(String(64))
    card_no: Mapped[str] = mapped_column(String(32))


class AccountClosure(Base):
    """A fund account closed (销户): its whole balance paid out or taken into the value-added income."""
    __tablename__ = 'account_closure'
    account_no: Mapped[str] = mapped_column(ForeignKey('fund_account.account_no'), primary_key=True)
    closed_on: Mapped[date] = mapped_column(Date)
    destination: Mapped[str] = mapped_column(String(16))       # 'payee' (paid out) or 'value_added'
    amount: Mapped[int] = mapped_column(Integer)               # fen
    instance_id: Mapped[int | None] = mapped_column(ForeignKey('process_instance.id'))
