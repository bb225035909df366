"""annotation versions: version / updated_by for optimistic concurrency, provenance JSON

Revision ID: 0003_annotation_versions
Revises: 0004_recordings (relinked after merging main: 0001 → 0002 → 0004 → 0003)
Create Date: 2026-12-01 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_annotation_versions"
down_revision = "0004_recordings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("provenance", sa.JSON(), nullable=True))
    # rows saved before versions existed were last written by their own annotator
    op.execute("UPDATE annotations SET updated_by = annotator")


def downgrade() -> None:
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_column("provenance")
        batch_op.drop_column("updated_by")
        batch_op.drop_column("version")
