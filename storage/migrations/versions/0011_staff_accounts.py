"""named staff accounts with roles and places, server-side console sessions, and who did what

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

KEEP_IDS = {'sqlite_autoincrement': True}  # a rebuilt SQLite table must keep never reusing ids (0005)


def upgrade() -> None:
    op.create_table(
        'staff_account',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=64), nullable=False, unique=True),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('town', sa.String(length=32), nullable=True),
        sa.Column('village', sa.String(length=64), nullable=True),
        sa.Column('password_hash', sa.String(length=256), nullable=False),
        sa.Column('must_change_password', sa.Boolean(), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        'staff_session',
        sa.Column('id', sa.String(length=64), primary_key=True),
        sa.Column('account_id', sa.Integer(), sa.ForeignKey('staff_account.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=True),
    )
    op.create_index('ix_staff_session_account_id', 'staff_session', ['account_id'])
    with op.batch_alter_table('staff_audit', table_kwargs=KEEP_IDS) as batch:
        batch.add_column(sa.Column('actor', sa.String(length=64), nullable=True))
        batch.create_index('ix_staff_audit_actor', ['actor'])


def downgrade() -> None:
    with op.batch_alter_table('staff_audit', table_kwargs=KEEP_IDS) as batch:
        batch.drop_index('ix_staff_audit_actor')
        batch.drop_column('actor')
    op.drop_index('ix_staff_session_account_id', 'staff_session')
    op.drop_table('staff_session')
    op.drop_table('staff_account')
