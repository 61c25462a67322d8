"""jobs as staff write them (the days a job wants, material brought to the house) and the loop from 报名 to
录用 (how to address a person; each application's outcome, its date, and the 找到活了吗 question)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

KEEP_IDS = {'sqlite_autoincrement': True}  # a rebuilt SQLite table must keep never reusing ids (0005)


def upgrade() -> None:
    with op.batch_alter_table('job', table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column('days', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('at_door', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('worker', table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column('name', sa.String(length=32), nullable=True))
    with op.batch_alter_table('job_application', table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column('outcome_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('outcome_by', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('asked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('job_application', table_kwargs=KEEP_IDS) as batch:
        batch.drop_column('asked_at')
        batch.drop_column('outcome_by')
        batch.drop_column('outcome_on')
    with op.batch_alter_table('worker', table_kwargs=KEEP_IDS) as batch:
        batch.drop_column('name')
    with op.batch_alter_table('job', table_kwargs=KEEP_IDS) as batch:
        batch.drop_column('at_door')
        batch.drop_column('days')
