"""ids never handed out twice on SQLite (AUTOINCREMENT); a wage case may outlive its person's phone;
a message's claim names the server process of the connection that made it

SQLite gives the highest id again after its row is deleted, so an erased person's id went
to the next one to register. Its tables are rebuilt with AUTOINCREMENT (the copy keeps the
highest id used so far). PostgreSQL's sequences never reuse an id: nothing to do there.
`rights_case.phone` becomes nullable: an open case is kept after 注销 without the phone.
`inbound_message.claimed_by`: on PostgreSQL, the backend pid whose death frees the claim.

Revision ID: 0005
Revises: 0004_link_guesses
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004_link_guesses'
branch_labels = None
depends_on = None

# The tables with an integer id of their own when this migration was written.
TABLES = ('worker', 'chat_account', 'conversation', 'inbound_message', 'employer', 'job', 'fair', 'course',
          'outbox', 'job_application', 'fair_change', 'broadcast', 'policy_question', 'staff_audit',
          'course_signup', 'rights_case', 'rights_case_event', 'silver_need', 'silver_placement', 'graduate',
          'graduate_recommendation', 'internship_base')


def _rebuild(autoincrement: bool) -> None:
    # A rebuild drops each table; with foreign keys enforced that would cascade into its children.
    if op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("run this migration with SQLite's foreign keys off (as `jobbot db upgrade` does)")
    for name in TABLES:
        with op.batch_alter_table(name, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}):
            pass


def upgrade() -> None:
    with op.batch_alter_table('rights_case') as batch:
        batch.alter_column('phone', existing_type=sa.String(length=32), nullable=True)
    with op.batch_alter_table('inbound_message') as batch:
        batch.add_column(sa.Column('claimed_by', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild(autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild(autoincrement=False)
    with op.batch_alter_table('inbound_message') as batch:
        batch.drop_column('claimed_by')
    op.execute("UPDATE rights_case SET phone = '' WHERE phone IS NULL")
    with op.batch_alter_table('rights_case') as batch:
        batch.alter_column('phone', existing_type=sa.String(length=32), nullable=False)
