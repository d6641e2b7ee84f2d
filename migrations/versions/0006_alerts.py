"""alerts: deadline marks, notifications (in-app and e-mail), user contacts, substitution (AB岗)

Revision ID: 0006_alerts
Revises: 0005
Create Date: 2026-11-22 04:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_alerts'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'deadline_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=8), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('marked_at', sa.DateTime(), nullable=False),
        sa.Column('marked_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'ref_id', 'level', 'due_date'),
    )
    op.create_index('ix_deadline_mark_instance_id', 'deadline_mark', ['instance_id'])
    op.create_table(
        'user_contact',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('email_state', sa.String(length=8), nullable=True),
        sa.Column('email_lease_until', sa.DateTime(), nullable=True),
        sa.Column('email_lease_owner', sa.String(length=64), nullable=True),
        sa.Column('emailed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notification_user_unread', 'notification', ['user_id', 'read_at'])
    op.create_index('ix_notification_email', 'notification', ['email_state', 'created_at'])
    op.create_table(
        'substitution',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('absent_id', sa.Integer(), nullable=False),
        sa.Column('backup_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['absent_id'], ['app_user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['backup_id'], ['app_user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_substitution_absent_id', 'substitution', ['absent_id'])
    op.create_index('ix_substitution_backup', 'substitution', ['backup_id', 'starts_on', 'ends_on'])


def downgrade():
    op.drop_table('substitution')
    op.drop_table('notification')
    op.drop_table('user_contact')
    op.drop_table('deadline_mark')
