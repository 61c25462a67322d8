"""free-text notes on a worker: a person's own words where an answer could not be read
(shown to staff beside the structured answer)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

KEEP_IDS = {'sqlite_autoincrement': True}  # a rebuilt SQLite table must keep never reusing ids (0005)


def upgrade() -> None:
    with op.batch_alter_table('worker', table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column('notes', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('worker', table_kwargs=KEEP_IDS) as batch:
        batch.drop_column('notes')
