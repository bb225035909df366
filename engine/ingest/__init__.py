"""Dataset readers (one module per format, in ``registry.READERS``; ``formats`` tells which one a folder
needs) and the catalog writer.

Importing the package registers every reader, so ``READERS`` is complete for whoever imports it.
"""

from engine.ingest import (  # noqa: F401 (registers readers)
    casme2,
    casme3,
    casme_sq,
    ckplus,
    folder,
    formats,
    samm,
    samm_lv,
    smic,
    video,
)
from engine.ingest.base import ClipRecord, FrameRecord, IngestIssue, ReadResult
from engine.ingest.registry import READERS, get_reader

__all__ = ["READERS", "get_reader", "ClipRecord", "FrameRecord", "IngestIssue", "ReadResult"]
