"""posts.group_id: each post's working group, kept by the database, indexed with created_at

Revision ID: b7e3f9a1c5d2
Revises: a4c9e1f27b3d
Create Date: 2026-12-07 23:30:00

Search must tell readable posts from others before it reads them: a member who reads one of
twelve groups made PostgreSQL walk half a million posts newest-first for a common word (0.7 s
warm, seconds cold). With the group on the post, PostgreSQL intersects the word's GIN entries
with the readable groups' index entries and reads only readable matches, and it knows from
the statistics how many there are when it chooses a plan.

The column copies threads.group_id; triggers keep it, whatever path moves a post (new posts,
split and merge change posts.thread_id, moving a thread changes threads.group_id). It is a
planning aid: search still checks readability through the thread. No foreign key: SQLite
cannot add one to an existing table without rebuilding it, which would drop its FTS triggers.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e3f9a1c5d2'
down_revision = 'a4c9e1f27b3d'
branch_labels = None
depends_on = None

PG_TRIGGERS = """
CREATE FUNCTION posts_take_group_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.group_id := (SELECT group_id FROM threads WHERE id = NEW.thread_id);
  RETURN NEW;
END
$$;
CREATE TRIGGER posts_group_id BEFORE INSERT OR UPDATE OF thread_id ON posts
  FOR EACH ROW EXECUTE FUNCTION posts_take_group_id();
CREATE FUNCTION threads_pass_group_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE posts SET group_id = NEW.group_id WHERE thread_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER threads_group_id AFTER UPDATE OF group_id ON threads
  FOR EACH ROW WHEN (OLD.group_id IS DISTINCT FROM NEW.group_id)
  EXECUTE FUNCTION threads_pass_group_id();
"""

SQLITE_TRIGGERS = [
    "CREATE TRIGGER posts_group_id_ai AFTER INSERT ON posts BEGIN "
    "UPDATE posts SET group_id = (SELECT group_id FROM threads WHERE id = new.thread_id) "
    "WHERE id = new.id; END",
    "CREATE TRIGGER posts_group_id_au AFTER UPDATE OF thread_id ON posts BEGIN "
    "UPDATE posts SET group_id = (SELECT group_id FROM threads WHERE id = new.thread_id) "
    "WHERE id = new.id; END",
    "CREATE TRIGGER threads_group_id_au AFTER UPDATE OF group_id ON threads BEGIN "
    "UPDATE posts SET group_id = new.group_id WHERE thread_id = new.id; END",
]


def upgrade():
    op.add_column('posts', sa.Column('group_id', sa.Integer(), nullable=True))
    op.execute("UPDATE posts SET group_id = "
               "(SELECT group_id FROM threads WHERE threads.id = posts.thread_id)")
    op.create_index('ix_posts_group_created', 'posts', ['group_id', 'created_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_TRIGGERS)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS threads_group_id ON threads")
        op.execute("DROP TRIGGER IF EXISTS posts_group_id ON posts")
        op.execute("DROP FUNCTION IF EXISTS threads_pass_group_id()")
        op.execute("DROP FUNCTION IF EXISTS posts_take_group_id()")
    else:
        for name in ("posts_group_id_ai", "posts_group_id_au", "threads_group_id_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_posts_group_created', table_name='posts')
    # Not op.drop_column: on SQLite it would rebuild the table and lose the FTS triggers.
    op.execute("ALTER TABLE posts DROP COLUMN group_id")
