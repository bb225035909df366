"""The ingest registries: format name → reader, and format name → how to recognise its folder.

Reader modules register with ``@register_reader("casme2")``; ``engine.ingest.formats`` registers each
format's signature with ``@register_signature("casme2")`` under the same name. Importing
``engine.ingest`` imports every such module, so both are complete for whoever imports the package.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.ingest.base import Reader
from engine.ingest.listing import Listing
from engine.registry import Registry

READERS: Registry[Reader] = Registry("dataset format")

Signature = Callable[[Listing], bool]  # does this folder listing look like the format's release?
SIGNATURES: Registry[Signature] = Registry("format signature")


def register_reader(fmt: str) -> Callable[[Reader], Reader]:
    """``@register_reader("casme2")`` on a reader function."""
    return READERS.register(fmt)


def get_reader(fmt: str) -> Reader:
    """The reader of format ``fmt``, or a GlimpseError naming the known formats."""
    return READERS.get_or_fail(fmt)


def register_signature(fmt: str) -> Callable[[Signature], Signature]:
    """Register how to recognise format ``fmt`` (the name its reader is registered under)."""
    return SIGNATURES.register(fmt)
