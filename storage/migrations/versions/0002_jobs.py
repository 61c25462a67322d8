"""jobs matching and applications

Revision ID: 0002_jobs
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa


revision = '0002_jobs'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_skill',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id', 'skill')
    )
    with op.batch_alter_table('worker_skill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_skill_skill'), ['skill'], unique=False)

    op.create_table('job_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['chat_account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id', 'account_id', name='uq_job_application_job_account')
    )
    with op.batch_alter_table('job_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_application_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_application_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_application_worker_id'), ['worker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('job_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_application_worker_id'))
        batch_op.drop_index(batch_op.f('ix_job_application_job_id'))
        batch_op.drop_index(batch_op.f('ix_job_application_created_at'))

    op.drop_table('job_application')
    with op.batch_alter_table('worker_skill', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_skill_skill'))

    op.drop_table('worker_skill')
