"""withdrawal: fraud bans with decision number, scope, dates and the law in force; bank accounts on
record; account closures

Revision ID: 0007_withdrawal
Revises: 0006_casefiles
Create Date: 2026-11-22 05:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_withdrawal'
down_revision = '0006_casefiles'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fraud_ban', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_no', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('scope', sa.String(length=64), nullable=False,
                                      server_default='withdrawal,loan'))
        batch_op.add_column(sa.Column('starts', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('conduct_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('law_in_force', sa.String(length=200), nullable=False, server_default=''))
    op.create_table(
        'bank_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=False),
        sa.Column('holder_name', sa.String(length=64), nullable=False),
        sa.Column('bank', sa.String(length=64), nullable=False),
        sa.Column('card_no', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_bank_account_id_number', 'bank_account', ['id_number'])
    op.create_table(
        'account_closure',
        sa.Column('account_no', sa.String(length=20), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=False),
        sa.Column('destination', sa.String(length=16), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['account_no'], ['fund_account.account_no']),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('account_no'),
    )


def downgrade():
    op.drop_table('account_closure')
    op.drop_index('ix_bank_account_id_number', table_name='bank_account')
    op.drop_table('bank_account')
    with op.batch_alter_table('fraud_ban', schema=None) as batch_op:
        for name in ('law_in_force', 'conduct_on', 'starts', 'scope', 'decision_no'):
            batch_op.drop_column(name)
