"""How numbers read on the pages: one format per kind of figure, used by every table that shows them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

SCORE = "%.3f"  # UF1, UAR, accuracy, F1, their differences and spreads
P_VALUE = "%.3g"  # p-values: three significant digits, so 0.000123 does not read as 0.000


def number_columns(names: Iterable[str], fmt: str) -> dict[str, Any]:
    """``st.dataframe`` column_config entries showing ``names`` with ``fmt`` (missing values stay blank)."""
    return {name: st.column_config.NumberColumn(name, format=fmt) for name in names}


def compact_count(n: int | None) -> str:
    """A count short enough for a metric tile: 950, 14.4k, 1.2M ("–" when unknown)."""
    if n is None:
        return "–"
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(n) >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)
