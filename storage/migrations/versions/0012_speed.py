"""change_stamp: a stamp every change to the job table renews, so that a process can keep the
open jobs in memory and know with one small read when they changed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# A random stamp rather than a counter: a test database emptied with TRUNCATE, or a SQLite
# file made again at the same path, must not repeat a stamp a process still has in memory.
SQLITE_TRIGGER = """
CREATE TRIGGER job_{event}_stamp AFTER {event} ON job BEGIN
  INSERT INTO change_stamp (name, stamp) VALUES ('job', random()) ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp;
END
"""
POSTGRES_FUNCTION = """
CREATE FUNCTION job_change_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_stamp (name, stamp) VALUES ('job', (random() * 9e15)::bigint)
  ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp;
  RETURN NULL;
END $$
"""
POSTGRES_TRIGGER = ("CREATE TRIGGER job_change_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON job "
                    "FOR EACH STATEMENT EXECUTE FUNCTION job_change_stamp()")


def upgrade() -> None:
    op.create_table('change_stamp',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('stamp', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    if op.get_bind().dialect.name == 'sqlite':
        for event in ('INSERT', 'UPDATE', 'DELETE'):
            op.execute(SQLITE_TRIGGER.format(event=event))
    else:
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for event in ('INSERT', 'UPDATE', 'DELETE'):
            op.execute(f'DROP TRIGGER job_{event}_stamp')
    else:
        op.execute('DROP TRIGGER job_change_stamp ON job')
        op.execute('DROP FUNCTION job_change_stamp()')
    op.drop_table('change_stamp')
