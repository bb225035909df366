"""Spotting: find micro- and macro-expression intervals in long videos and score them the MEGC way.

Importing the package registers every spotting method (explicit imports, as ``engine.ingest`` does).
"""

from engine.spotting import difference, learned  # noqa: F401 (registers spotters)
from engine.spotting.registry import SPOTTERS, describe, get_spotter, register_spotter

__all__ = ["SPOTTERS", "describe", "get_spotter", "register_spotter"]
