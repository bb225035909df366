"""How a trainable variant's epoch is chosen in each fold, and how an audit (deliberately flawed)
variant's runs are labelled wherever they are shown."""

from __future__ import annotations

from engine.errors import GlimpseError

# how a trainable model's epoch is chosen in each fold. "test_subject_oracle" is the selection the
# strongest public ME codes (HTNet, CausalNet) use — best epoch by accuracy on the held-out TEST subject —
# offered only to measure how much it inflates UF1/UAR (an audit), never to report a result
LEAKAGE_SAFE = "leakage_safe"
TEST_SUBJECT_ORACLE = "test_subject_oracle"
SELECTIONS = (LEAKAGE_SAFE, TEST_SUBJECT_ORACLE)
FLAWED_LABEL = "test_subject_oracle (FLAWED — audit only)"


def check_selection(selection: str) -> None:
    if selection not in SELECTIONS:
        raise GlimpseError(
            f"unknown epoch selection {selection!r}", hint=f"use one of {', '.join(SELECTIONS)}"
        )


AUDIT_BADGE = "AUDIT — FLAWED"  # how pages and reports label an audit variant's runs
