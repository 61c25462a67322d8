"""free-text notes on a worker: a person's own words where an answer could not be read
(shown to staff beside the structured answer)

Revision ID: 0008
Revises: 0004_link_guesses
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0004_link_guesses'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('worker') as batch:
        batch.add_column(sa.Column('notes', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('worker') as batch:
        batch.drop_column('notes')
