"""the closed loop: training sign-ups, rights cases, elderly maps and tables, graduates, internship
bases, hardship declarations, policy opt-outs (merges the jobs and fairs heads)

Revision ID: 0003_loop
Revises: 0002_jobs, 0002_fairs
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa


revision = '0003_loop'
down_revision = ('0002_jobs', '0002_fairs')
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('internship_base',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_key', sa.String(length=160), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('town', sa.String(length=32), nullable=True),
    sa.Column('industry', sa.String(length=64), nullable=True),
    sa.Column('positions', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=256), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_key')
    )
    op.create_table('silver_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('town', sa.String(length=32), nullable=True),
    sa.Column('venue', sa.String(length=256), nullable=True),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=32), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('silver_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_silver_need_kind'), ['kind'], unique=False)

    op.create_table('course_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('course_id', 'worker_id', name='uq_course_signup_course_worker')
    )
    with op.batch_alter_table('course_signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_signup_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_signup_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_signup_worker_id'), ['worker_id'], unique=False)

    op.create_table('graduate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('school', sa.String(length=64), nullable=False),
    sa.Column('major', sa.String(length=64), nullable=False),
    sa.Column('grad_year', sa.Integer(), nullable=False),
    sa.Column('wish', sa.String(length=16), nullable=False),
    sa.Column('guided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('guidance_note', sa.String(length=256), nullable=True),
    sa.Column('trained_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('training_note', sa.String(length=256), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('worker_id')
    )
    with op.batch_alter_table('graduate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_graduate_created_at'), ['created_at'], unique=False)

    op.create_table('hardship_declaration',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id')
    )
    op.create_table('policy_opt_out',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id', 'kind')
    )
    op.create_table('silver_choice',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id', 'kind', 'code')
    )
    with op.batch_alter_table('silver_choice', schema=None) as batch_op:
        batch_op.create_index('ix_silver_choice_kind_code', ['kind', 'code'], unique=False)

    op.create_table('worker_flag',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('flag', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id', 'flag')
    )
    op.create_table('graduate_recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('slot BETWEEN 1 AND 3', name='ck_graduate_recommendation_slot'),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduate.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('graduate_id', 'job_id', name='uq_graduate_recommendation_job'),
    sa.UniqueConstraint('graduate_id', 'slot', name='uq_graduate_recommendation_slot')
    )
    op.create_table('rights_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('employer', sa.String(length=128), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('owed_since', sa.String(length=32), nullable=True),
    sa.Column('town', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['chat_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('rights_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_case_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_case_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_case_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_case_worker_id'), ['worker_id'], unique=False)

    op.create_table('rights_case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=256), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['rights_case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rights_case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_case_event_case_id'), ['case_id'], unique=False)

    op.create_table('silver_placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('work', sa.String(length=128), nullable=False),
    sa.Column('employer', sa.String(length=128), nullable=True),
    sa.Column('placed_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['job_application.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['silver_need.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id')
    )
    with op.batch_alter_table('silver_placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_silver_placement_placed_on'), ['placed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_silver_placement_worker_id'), ['worker_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('silver_placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_silver_placement_worker_id'))
        batch_op.drop_index(batch_op.f('ix_silver_placement_placed_on'))

    op.drop_table('silver_placement')
    with op.batch_alter_table('rights_case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rights_case_event_case_id'))

    op.drop_table('rights_case_event')
    with op.batch_alter_table('rights_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rights_case_worker_id'))
        batch_op.drop_index(batch_op.f('ix_rights_case_status'))
        batch_op.drop_index(batch_op.f('ix_rights_case_created_at'))
        batch_op.drop_index(batch_op.f('ix_rights_case_account_id'))

    op.drop_table('rights_case')
    op.drop_table('graduate_recommendation')
    op.drop_table('worker_flag')
    with op.batch_alter_table('silver_choice', schema=None) as batch_op:
        batch_op.drop_index('ix_silver_choice_kind_code')

    op.drop_table('silver_choice')
    op.drop_table('policy_opt_out')
    op.drop_table('hardship_declaration')
    with op.batch_alter_table('graduate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_graduate_created_at'))

    op.drop_table('graduate')
    with op.batch_alter_table('course_signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_signup_worker_id'))
        batch_op.drop_index(batch_op.f('ix_course_signup_created_at'))
        batch_op.drop_index(batch_op.f('ix_course_signup_course_id'))

    op.drop_table('course_signup')
    with op.batch_alter_table('silver_need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_silver_need_kind'))

    op.drop_table('silver_need')
    op.drop_table('internship_base')
