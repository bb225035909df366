"""Dataset readers (one module per format, registered in ``base.READERS``) and the catalog writer.

Importing the package registers every reader, so ``READERS`` is complete for whoever imports it.
"""

from engine.ingest import (  # noqa: F401 (registers readers)
    casme2,
    casme3,
    casme_sq,
    ckplus,
    folder,
    samm,
    samm_lv,
    smic,
    video,
)
from engine.ingest.base import READERS, ClipRecord, FrameRecord, IngestIssue, ReadResult

__all__ = ["READERS", "ClipRecord", "FrameRecord", "IngestIssue", "ReadResult"]
