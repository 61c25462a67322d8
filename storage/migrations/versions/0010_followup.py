"""退订 choices: service messages (a case, a course one joined) stop only on 全部停, and 暂停一周;
a job's phone number shown before 报名 when staff allow it; a course's fee and time of day

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


KEEP_IDS = {'sqlite_autoincrement': True}  # a rebuilt SQLite table must keep never reusing ids (0005)


def upgrade() -> None:
    with op.batch_alter_table('worker', table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column('service_push', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('job', table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column('show_phone', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('course', table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column('fee', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('hours', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('course') as batch:
        batch.drop_column('hours')
        batch.drop_column('fee')
    with op.batch_alter_table('job') as batch:
        batch.drop_column('show_phone')
    with op.batch_alter_table('worker') as batch:
        batch.drop_column('paused_until')
        batch.drop_column('service_push')
