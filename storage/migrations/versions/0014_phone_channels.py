"""SMS and voice calls: the monthly spend against the budget, each paid send, and SMS replies kept for staff

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'phone_budget',
        sa.Column('month', sa.String(length=7), primary_key=True),
        sa.Column('spent_milli', sa.Integer(), nullable=False),
    )
    op.create_table(
        'phone_send',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('cost_milli', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('biz_id', sa.String(length=64), nullable=True),
        sa.Column('code', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_phone_send_user_id', 'phone_send', ['user_id'])
    op.create_index('ix_phone_send_biz_id', 'phone_send', ['biz_id'])
    op.create_table(
        'phone_uplink',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=True),
        sa.Column('content', sa.String(length=500), nullable=False),
        sa.Column('sequence_id', sa.String(length=64), nullable=True, unique=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_phone_uplink_worker_id', 'phone_uplink', ['worker_id'])


def downgrade() -> None:
    op.drop_index('ix_phone_uplink_worker_id', 'phone_uplink')
    op.drop_table('phone_uplink')
    op.drop_index('ix_phone_send_biz_id', 'phone_send')
    op.drop_index('ix_phone_send_user_id', 'phone_send')
    op.drop_table('phone_send')
    op.drop_table('phone_budget')
