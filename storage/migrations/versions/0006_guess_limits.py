"""limits on 绑定 guesses across accounts: each code counts the wrong codes typed while it
lives, and every wrong code is noted for a limit on everyone together

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('link_code') as batch:
        batch.add_column(sa.Column('wrong_seen', sa.Integer(), server_default='0', nullable=False))
    op.create_table('link_guess',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id'),
                    sqlite_autoincrement=True)  # ids never reused on SQLite (0005)
    op.create_index('ix_link_guess_at', 'link_guess', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_link_guess_at', 'link_guess')
    op.drop_table('link_guess')
    with op.batch_alter_table('link_code') as batch:
        batch.drop_column('wrong_seen')
