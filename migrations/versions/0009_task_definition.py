"""human_task.definition_id (the case's process, copied onto each task row) and the dashboard indexes
that use it

The supervision figures group and filter task rows by process. Reading the process through the case
joined ~120,000 task rows to their cases for each figure of a twelve-week dashboard (1 s on
PostgreSQL with 100,000 cases and 1,000,000 task rows, bench/bench_supervision.py). Existing rows are
filled from their cases; the application keeps the copy equal from then on.

Revision ID: 0009_task_definition
Revises: 0008
Create Date: 2026-11-22 08:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_task_definition'
down_revision = '0008'
branch_labels = None
depends_on = None

_READY = sa.text("state = 'ready'")
_COVERED = ['definition_id', 'spec_id', 'completed_by', 'due_date', 'created_at', 'name']


def upgrade():
    # The old index goes first, so that the backfill below does not maintain it row by row.
    op.drop_index('ix_human_task_done', table_name='human_task')
    op.add_column('human_task', sa.Column('definition_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('UPDATE human_task SET definition_id = process_instance.definition_id '
                   'FROM process_instance WHERE process_instance.id = human_task.instance_id')
    else:
        op.execute('UPDATE human_task SET definition_id = (SELECT process_instance.definition_id '
                   'FROM process_instance WHERE process_instance.id = human_task.instance_id)')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.alter_column('definition_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_human_task_definition_id', 'process_definition', ['definition_id'],
                                    ['id'])
    op.create_index('ix_human_task_done', 'human_task', ['state', 'completed_at'],
                    postgresql_include=_COVERED)
    op.create_index('ix_human_task_open', 'human_task', ['due_date', 'created_at', 'id'],
                    postgresql_include=['definition_id', 'spec_id', 'name', 'claimed_by'],
                    postgresql_where=_READY, sqlite_where=_READY)


def downgrade():
    op.drop_index('ix_human_task_open', table_name='human_task')
    op.drop_index('ix_human_task_done', table_name='human_task')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_constraint('fk_human_task_definition_id', type_='foreignkey')
        batch_op.drop_column('definition_id')
    op.create_index('ix_human_task_done', 'human_task', ['state', 'completed_at'])
