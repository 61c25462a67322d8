"""several servers on one database: each scheduled task claims its tick in schedule_run

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('schedule_run',
    sa.Column('task', sa.String(length=64), nullable=False),
    sa.Column('last_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner', sa.String(length=128), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('task')
    )


def downgrade() -> None:
    op.drop_table('schedule_run')
