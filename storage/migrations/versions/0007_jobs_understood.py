"""jobs as staff write them: the days a job wants and material brought to the house, read from its text

Revision ID: 0007
Revises: 0004_link_guesses
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0004_link_guesses'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job') as batch:
        batch.add_column(sa.Column('days', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('at_door', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('job') as batch:
        batch.drop_column('at_door')
        batch.drop_column('days')
