"""change_stamp: a stamp every change to a read-mostly table (job, fair) renews, so that a
process can keep the table's rows in memory and know with one small read when they changed

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

TABLES = ('job', 'fair')
EVENTS = ('INSERT', 'UPDATE', 'DELETE')
# A random stamp rather than a counter: a test database emptied with TRUNCATE, or a SQLite
# file made again at the same path, must not repeat a stamp a process still has in memory.
RANDOM, PG_RANDOM = 'random()', '(random() * 9e15)::bigint'
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_{event}_stamp AFTER {event} ON {table} BEGIN
  INSERT INTO change_stamp (name, stamp) VALUES ('{table}', random())
  ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp;
END
"""
POSTGRES_FUNCTION = """
CREATE FUNCTION change_stamp_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_stamp (name, stamp) VALUES (TG_TABLE_NAME, (random() * 9e15)::bigint)
  ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp;
  RETURN NULL;
END $$
"""
POSTGRES_TRIGGER = ("CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION change_stamp_renew()")


def upgrade() -> None:
    op.create_table('change_stamp',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('stamp', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if not sqlite:
        op.execute(POSTGRES_FUNCTION)
    for table in TABLES:
        if sqlite:
            for event in EVENTS:
                op.execute(SQLITE_TRIGGER.format(table=table, event=event))
        else:
            op.execute(POSTGRES_TRIGGER.format(table=table))
        op.execute(f"INSERT INTO change_stamp (name, stamp) VALUES ('{table}', {RANDOM if sqlite else PG_RANDOM})")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in TABLES:
        if sqlite:
            for event in EVENTS:
                op.execute(f'DROP TRIGGER {table}_{event}_stamp')
        else:
            op.execute(f'DROP TRIGGER {table}_stamp ON {table}')
    if not sqlite:
        op.execute('DROP FUNCTION change_stamp_renew()')
    op.drop_table('change_stamp')
