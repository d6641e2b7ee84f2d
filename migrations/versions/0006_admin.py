"""administration: effective-dated settings, 管办分离 role grants (instance status gains values only)

Revision ID: 0006_admin
Revises: 0005
Create Date: 2026-11-22 05:00:00.000000
"""
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = '0006_admin'
down_revision = '0005'
branch_labels = None
depends_on = None

EPOCH = date(2000, 1, 1)


def _setting_table(name):
    return op.create_table(
        name,
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('set_by', sa.Integer(), nullable=True),
        sa.Column('set_at', sa.DateTime(), nullable=True),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['set_by'], ['app_user.id'], name='fk_setting_set_by'),
        sa.PrimaryKeyConstraint('key', 'effective_from'),
    )


def upgrade():
    # process_instance.status is a VARCHAR(16) (a non-native enum): 'suspended'/'terminated' need no DDL.
    # setting: the primary key becomes (key, effective_from); existing values count from the epoch.
    connection = op.get_bind()
    old = connection.execute(sa.text('SELECT key, value FROM setting')).all()
    op.drop_table('setting')
    table = _setting_table('setting')
    if old:
        op.bulk_insert(table, [{'key': k, 'effective_from': EPOCH, 'value': v} for k, v in old])
    op.create_table(
        'role_grant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role_code', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('requested_by', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id']),
        sa.ForeignKeyConstraint(['role_code'], ['role.code']),
        sa.ForeignKeyConstraint(['requested_by'], ['app_user.id']),
        sa.ForeignKeyConstraint(['decided_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_role_grant_user_id', 'role_grant', ['user_id'])
    op.create_index('ix_role_grant_state', 'role_grant', ['state'])


def downgrade():
    op.drop_index('ix_role_grant_state', table_name='role_grant')
    op.drop_index('ix_role_grant_user_id', table_name='role_grant')
    op.drop_table('role_grant')
    connection = op.get_bind()
    current = connection.execute(sa.text(
        'SELECT key, value FROM setting s WHERE effective_from = '
        '(SELECT max(effective_from) FROM setting t WHERE t.key = s.key)')).all()
    op.drop_table('setting')
    table = op.create_table('setting', sa.Column('key', sa.String(length=64), nullable=False),
                            sa.Column('value', sa.String(length=200), nullable=False),
                            sa.PrimaryKeyConstraint('key'))
    if current:
        op.bulk_insert(table, [{'key': k, 'value': v} for k, v in current])
