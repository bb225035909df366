"""Dataset readers (one module per format, registered in ``base.READERS``) and the catalog writer.

Importing the package registers every reader, so ``READERS`` is complete for whoever imports it.
"""

from engine.ingest import casme2, casme_sq, ckplus, folder, samm, smic, video  # noqa: F401 (registers readers)
from engine.ingest.base import READERS, ClipRecord, FrameRecord, IngestIssue, ReadResult

__all__ = ["READERS", "ClipRecord", "FrameRecord", "IngestIssue", "ReadResult"]
