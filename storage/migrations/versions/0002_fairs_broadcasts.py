"""fairs, broadcasts and the staff console

Fair employers and changes, broadcasts, policy questions, the staff audit, and an index to
find a broadcast's outbox rows.

Revision ID: 0002_fairs
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = '0002_fairs'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('policy_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_policy_question_answered', 'policy_question', ['answered'], unique=False)
    op.create_index('ix_policy_question_asked_at', 'policy_question', ['asked_at'], unique=False)

    op.create_table('staff_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_staff_audit_at', 'staff_audit', ['at'], unique=False)

    op.create_table('broadcast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['fair_id'], ['fair.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_broadcast_fair_id', 'broadcast', ['fair_id'], unique=False)

    op.create_table('fair_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('old_starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('new_starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('old_venue', sa.String(length=256), nullable=True),
    sa.Column('new_venue', sa.String(length=256), nullable=True),
    sa.Column('reason', sa.String(length=256), nullable=True),
    sa.Column('notified', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fair_id'], ['fair.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_fair_change_fair_id', 'fair_change', ['fair_id'], unique=False)

    op.create_table('fair_employer',
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fair_id'], ['fair.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('fair_id', 'employer_id')
    )
    op.create_index('ix_outbox_kind_ref', 'outbox', ['kind', 'ref_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_kind_ref', table_name='outbox')
    op.drop_table('fair_employer')
    op.drop_index('ix_fair_change_fair_id', table_name='fair_change')
    op.drop_table('fair_change')
    op.drop_index('ix_broadcast_fair_id', table_name='broadcast')
    op.drop_table('broadcast')
    op.drop_index('ix_staff_audit_at', table_name='staff_audit')
    op.drop_table('staff_audit')
    op.drop_index('ix_policy_question_asked_at', table_name='policy_question')
    op.drop_index('ix_policy_question_answered', table_name='policy_question')
    op.drop_table('policy_question')
