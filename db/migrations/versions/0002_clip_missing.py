"""clips.missing_since; predictions.clip_id ON DELETE RESTRICT

Results are immutable: a re-ingest marks clips that left the source as missing instead of deleting them,
and a prediction no longer disappears through ON DELETE CASCADE when its clip is deleted.

Revision ID: 0002_clip_missing
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_clip_missing"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

# 0001 left the foreign keys unnamed; SQLite reflects them without a name, so batch mode needs a naming
# convention to find the one to drop (https://alembic.sqlalchemy.org/en/latest/batch.html)
_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
_FK = "fk_predictions_clip_id_clips"


def _clip_fk_name() -> str:
    """The predictions → clips constraint's real name (PostgreSQL names it), else the convention's."""
    for fk in sa.inspect(op.get_bind()).get_foreign_keys("predictions"):
        if fk["referred_table"] == "clips" and fk.get("name"):
            return str(fk["name"])
    return _FK


def _set_clip_fk(ondelete: str) -> None:
    name = _clip_fk_name()
    with op.batch_alter_table("predictions", naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.create_foreign_key(_FK, "clips", ["clip_id"], ["id"], ondelete=ondelete)


def upgrade() -> None:
    with op.batch_alter_table("clips") as batch_op:
        batch_op.add_column(sa.Column("missing_since", sa.DateTime(), nullable=True))
    _set_clip_fk("RESTRICT")


def downgrade() -> None:
    _set_clip_fk("CASCADE")
    with op.batch_alter_table("clips") as batch_op:
        batch_op.drop_column("missing_since")
