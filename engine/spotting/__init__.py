"""Spotting: find micro- and macro-expression intervals in long videos and score them the MEGC way."""
