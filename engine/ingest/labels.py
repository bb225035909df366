"""Label schemes per dataset: MEGC 2019 three classes (with its per-dataset overrides), CASME II five
classes, and the four macro classes of stage 2 (CK+ codes); the label names themselves are
``engine.labels``.

The raw emotion string is always kept beside the mapped label, so another scheme can be derived later.
"""

from __future__ import annotations

from engine.labels import CASME2_5_CLASSES, LABELS_MACRO

# MEGC 2019 composite protocol. CASME II's own override: negative = disgust + repression only (its fear
# and sadness clips are excluded); "others" is excluded everywhere.
_MEGC_DEFAULT = {
    "happiness": "positive",
    "happy": "positive",
    "positive": "positive",
    "surprise": "surprise",
    "negative": "negative",
    "repression": "negative",
    "anger": "negative",
    "contempt": "negative",
    "disgust": "negative",
    "fear": "negative",
    "sadness": "negative",
    "sad": "negative",
}
MEGC_2019: dict[str, dict[str, str]] = {
    "casme2": {
        "happiness": "positive",
        "surprise": "surprise",
        "disgust": "negative",
        "repression": "negative",
    },
    "samm": {
        "happiness": "positive",
        "surprise": "surprise",
        "anger": "negative",
        "contempt": "negative",
        "disgust": "negative",
        "fear": "negative",
        "sadness": "negative",
    },
    "smic": {"positive": "positive", "negative": "negative", "surprise": "surprise"},
    "casme_sq": {"positive": "positive", "negative": "negative", "surprise": "surprise"},
}


CKPLUS_EMOTIONS = {
    0: "neutral",
    1: "anger",
    2: "contempt",
    3: "disgust",
    4: "fear",
    5: "happy",
    6: "sadness",
    7: "surprise",
}
_CKPLUS_MACRO = {0: "neutral", 5: "positive", 7: "surprise"} | {c: "negative" for c in (1, 2, 3, 4, 6)}


def normalise_emotion(raw: str) -> str:
    return " ".join(str(raw).strip().lower().replace("_", " ").split())


def megc_label(dataset: str, emotion_raw: str) -> str | None:
    """The MEGC 2019 3-class label of a raw emotion in ``dataset`` (casme2, samm, smic, casme_sq, …).

    None means the clip is excluded from the 3-class scheme (others, or CASME II fear/sadness).
    """
    emotion = normalise_emotion(emotion_raw)
    table = MEGC_2019.get(dataset, _MEGC_DEFAULT)
    return table.get(emotion)


def casme2_five_class(emotion_raw: str) -> str | None:
    """CASME II's 5 classes (happiness, surprise, disgust, repression, others); fear/sadness → None."""
    emotion = normalise_emotion(emotion_raw)
    return emotion if emotion in CASME2_5_CLASSES else None


def ckplus_emotion(code: int) -> str:
    """The CK+ emotion name of a code 0–7 (raises KeyError for anything else)."""
    return CKPLUS_EMOTIONS[int(code)]


def ckplus_macro_label(code: int) -> str:
    """The 4-class macro label (positive, negative, surprise, neutral) of a CK+ emotion code."""
    return _CKPLUS_MACRO[int(code)]


def generic_label(name: str) -> str | None:
    """A label for a free-form folder name: a scheme label as-is, else the MEGC default emotion mapping."""
    emotion = normalise_emotion(name)
    if emotion in LABELS_MACRO:
        return emotion
    return _MEGC_DEFAULT.get(emotion)
