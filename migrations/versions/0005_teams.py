"""teams (科室/分中心): users belong to one; lists and dashboards filter by it

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 04:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'team',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('name_en', sa.String(length=64), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_app_user_team_id', ['team_id'])
        batch_op.create_foreign_key('fk_app_user_team_id', 'team', ['team_id'], ['id'])


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_constraint('fk_app_user_team_id', type_='foreignkey')
        batch_op.drop_index('ix_app_user_team_id')
        batch_op.drop_column('team_id')
    op.drop_table('team')
