"""a cap on wrong 绑定 codes: each chat account counts its wrong guesses and may be blocked a while

Revision ID: 0004_link_guesses
Revises: 0003_loop
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = '0004_link_guesses'
down_revision = '0003_loop'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('chat_account') as batch:
        batch.add_column(sa.Column('link_failures', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('link_blocked_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('chat_account') as batch:
        batch.drop_column('link_blocked_until')
        batch.drop_column('link_failures')
