"""recordings: long videos as clips of kind 'recording', and the intervals coded inside them

Existing clips keep their kind (micro | macro | image): nothing is rewritten, so a catalog at 0001
upgrades with every row intact; recordings are new rows.

Revision ID: 0004_recordings
Revises: 0002_clip_missing (relinked in h12b; h12a wrote it on 0001_initial)
Create Date: 2026-12-01 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_recordings"
down_revision = "0002_clip_missing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("annotator", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("onset", sa.Integer(), nullable=False),
        sa.Column("apex", sa.Integer(), nullable=True),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("emotion", sa.String(length=64), nullable=True),
        sa.Column("label", sa.String(length=32), nullable=True),
        sa.Column("aus", sa.String(length=256), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["clip_id"], ["clips.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("intervals", schema=None) as batch_op:
        batch_op.create_index("ix_intervals_clip_annotator", ["clip_id", "annotator", "onset"], unique=False)
    with op.batch_alter_table("clips", schema=None) as batch_op:
        batch_op.create_index("ix_clips_dataset_kind", ["dataset_id", "kind", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("clips", schema=None) as batch_op:
        batch_op.drop_index("ix_clips_dataset_kind")
    with op.batch_alter_table("intervals", schema=None) as batch_op:
        batch_op.drop_index("ix_intervals_clip_annotator")
    op.drop_table("intervals")
