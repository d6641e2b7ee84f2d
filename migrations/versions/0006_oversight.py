"""oversight: internal-audit samples (内审) and indexes for the supervision dashboards

Revision ID: 0006_oversight
Revises: 0005
Create Date: 2026-11-22 05:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_oversight'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_sample',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('considered_at', sa.DateTime(), nullable=False),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('sampled', sa.Boolean(), nullable=False),
        sa.Column('audit_instance_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['audit_instance_id'], ['process_instance.id']),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('instance_id'),
    )
    op.create_index('ix_audit_sample_audit_instance_id', 'audit_sample', ['audit_instance_id'])
    op.create_index('ix_human_task_done', 'human_task', ['state', 'completed_at'])
    op.create_index('ix_process_instance_closed_at', 'process_instance', ['closed_at'])


def downgrade():
    op.drop_index('ix_process_instance_closed_at', table_name='process_instance')
    op.drop_index('ix_human_task_done', table_name='human_task')
    op.drop_index('ix_audit_sample_audit_instance_id', table_name='audit_sample')
    op.drop_table('audit_sample')
