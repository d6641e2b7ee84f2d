"""case file: scanned attachments (bytes in their own rows) and a comment thread per case

Revision ID: 0006_casefiles
Revises: 0005
Create Date: 2026-11-22 05:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_casefiles'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=120), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.ForeignKeyConstraint(['uploaded_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_attachment_instance_id', 'case_attachment', ['instance_id'])
    op.create_table(
        'case_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['app_user.id']),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_comment_instance_id', 'case_comment', ['instance_id'])


def downgrade():
    op.drop_index('ix_case_comment_instance_id', table_name='case_comment')
    op.drop_table('case_comment')
    op.drop_index('ix_case_attachment_instance_id', table_name='case_attachment')
    op.drop_table('case_attachment')
