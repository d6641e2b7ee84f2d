"""enforcement records: employers, approved deferrals, earlier penalties, evidence registers

Revision ID: 0006_enforcement
Revises: 0005
Create Date: 2026-11-22 04:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_enforcement'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'employer',
        sa.Column('credit_code', sa.String(length=18), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('legal_representative', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('registered_with_center', sa.Boolean(), nullable=False),
        sa.Column('e_service_consent', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('credit_code'),
    )
    op.create_table(
        'employer_deferral',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('credit_code', sa.String(length=18), nullable=False),
        sa.Column('approved_on', sa.Date(), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('until', sa.Date(), nullable=False),
        sa.Column('basis', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['credit_code'], ['employer.credit_code'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_employer_deferral_credit_code', 'employer_deferral', ['credit_code'])
    op.create_table(
        'employer_penalty',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('credit_code', sa.String(length=18), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('decision_no', sa.String(length=60), nullable=False),
        sa.Column('fine', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['credit_code'], ['employer.credit_code'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_employer_penalty_credit_code', 'employer_penalty', ['credit_code'])
    op.create_index('ix_employer_penalty_instance_id', 'employer_penalty', ['instance_id'])
    op.create_table(
        'evidence_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('collected_on', sa.Date(), nullable=False),
        sa.Column('collector_id', sa.Integer(), nullable=False),
        sa.Column('archive_ref', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['collector_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('instance_id', 'seq', name='uq_evidence_item_seq'),
    )
    op.create_index('ix_evidence_item_instance_id', 'evidence_item', ['instance_id'])


def downgrade():
    op.drop_index('ix_evidence_item_instance_id', table_name='evidence_item')
    op.drop_table('evidence_item')
    op.drop_index('ix_employer_penalty_instance_id', table_name='employer_penalty')
    op.drop_index('ix_employer_penalty_credit_code', table_name='employer_penalty')
    op.drop_table('employer_penalty')
    op.drop_index('ix_employer_deferral_credit_code', table_name='employer_deferral')
    op.drop_table('employer_deferral')
    op.drop_table('employer')
