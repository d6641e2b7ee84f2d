"""process versions: draft or published, with who and when; publishing again rolls back

Revision ID: 0006_modeler
Revises: 0005
Create Date: 2026-11-22 04:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_modeler'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('published_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_process_definition_published_by', 'app_user', ['published_by'], ['id'])
        batch_op.create_unique_constraint('uq_process_definition_key_publication', ['key', 'publication'])
    # Every version deployed before drafts existed was live: publish them in version order.
    op.execute('UPDATE process_definition SET publication = version, published_at = deployed_at, '
               'published_by = deployed_by')


def downgrade():
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_constraint('uq_process_definition_key_publication', type_='unique')
        batch_op.drop_constraint('fk_process_definition_published_by', type_='foreignkey')
        batch_op.drop_column('published_by')
        batch_op.drop_column('published_at')
        batch_op.drop_column('publication')
