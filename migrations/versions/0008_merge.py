"""join the branches that grew in parallel (administration, escalation, enforcement, modeler, oversight,
case file and withdrawal) into one head

Revision ID: 0008
Revises: 0006_admin, 0006_alerts, 0006_enforcement, 0006_modeler, 0006_oversight, 0007_withdrawal
Create Date: 2026-11-22 06:10:00.000000
"""

revision = '0008'
down_revision = ('0006_admin', '0006_alerts', '0006_enforcement', '0006_modeler', '0006_oversight',
                 '0007_withdrawal')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
