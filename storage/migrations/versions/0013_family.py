"""registration by a family member or village staff: who registered whom, and the consent

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

KEEP_IDS = {'sqlite_autoincrement': True}  # a rebuilt SQLite table must keep never reusing ids (0005)


def upgrade() -> None:
    with op.batch_alter_table('worker', table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column('consent_pending', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'worker_consent',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('worker_id', sa.Integer(), sa.ForeignKey('worker.id', ondelete='CASCADE'), nullable=False,
                  unique=True),
        sa.Column('by_account_id', sa.Integer(), sa.ForeignKey('chat_account.id', ondelete='SET NULL'),
                  nullable=True),
        sa.Column('by_staff_id', sa.Integer(), sa.ForeignKey('staff_account.id', ondelete='SET NULL'),
                  nullable=True),
        sa.Column('by_staff_name', sa.String(length=64), nullable=True),
        sa.Column('reach', sa.String(length=8), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=True),
        sa.Column('code', sa.String(length=8), nullable=True),
        sa.Column('code_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('wrong_tries', sa.Integer(), nullable=False),
        sa.Column('sends', sa.Integer(), nullable=False),
        sa.Column('given_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_worker_consent_by_account_id', 'worker_consent', ['by_account_id'])


def downgrade() -> None:
    op.drop_index('ix_worker_consent_by_account_id', 'worker_consent')
    op.drop_table('worker_consent')
    with op.batch_alter_table('worker', table_kwargs=KEEP_IDS) as batch:
        batch.drop_column('consent_pending')
