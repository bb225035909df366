"""The project's vocabulary, written down once: the class labels, the emotions and the FACS action units.

Everything that names a class or an AU imports it from here — ingest (readers and label mappings), the
synthetic corpus, training, evaluation, the workbench — so no second copy can drift. It sits at the
bottom of the engine (it imports nothing), where every subpackage may reach it.
"""

from __future__ import annotations

import re

# MEGC 2019's three micro-expression classes (stage 3), in the order every matrix and score uses.
LABELS_ME = ("negative", "positive", "surprise")
# Stage 2's four macro-expression classes: the three ME classes plus neutral.
LABELS_MACRO = (*LABELS_ME, "neutral")

# The emotions an annotator picks from (CASME II / SAMM estimated emotions; "others" last, the default).
EMOTIONS = (
    "happiness",
    "surprise",
    "disgust",
    "repression",
    "anger",
    "contempt",
    "fear",
    "sadness",
    "others",
)
# CASME II's own five classes (its fear and sadness clips fall outside them).
CASME2_5_CLASSES = ("happiness", "surprise", "disgust", "repression", "others")

# The FACS action units datasets code (and the synthetic corpus renders); "L"/"R" prefix = one side.
FACS_AUS = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26, 45)
AU_CHOICES = tuple(f"{side}{au}" for au in FACS_AUS for side in ("", "L", "R"))


def action_unit_numbers(coded: str) -> frozenset[int]:
    """The AU numbers of a coded string ("1+R12", "AU4+L10", "12B"), side and intensity dropped.

    Why numbers only: FACS reliability (and CASME II's ratio) scores whether the same AUs were seen;
    laterality and intensity are scored separately. Tokens without a number ("?", "") are ignored.
    """
    return frozenset(
        int(m.group()) for token in re.split(r"[+,;/\s]+", coded or "") if (m := re.search(r"\d+", token))
    )
