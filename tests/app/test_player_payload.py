"""The player payload has one schema: player.js reads exactly the keys workbench/components/player_payload.py
defines, type by type, and every object type the payload holds is one of that schema's TypedDicts."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from workbench.components import player_payload
from workbench.components.player_payload import SCHEMA, PlayerPayload

PLAYER_JS = Path(player_payload.__file__).with_name("player_assets") / "player.js"
# `const { a, b: alias, c = 1 } = x; … // payload: Name` — the keys one destructuring reads, by type name
MARKED = re.compile(r"const \{([^{}]*)\} = \w+;.*// payload: (\w+)\s*$")


def js_reads(source: str) -> dict[str, set[str]]:
    """Type name → the keys its marked destructuring in player.js reads."""
    reads: dict[str, set[str]] = {}
    for line in source.splitlines():
        if not re.search(r"// payload: \w+\s*$", line):
            continue
        found = MARKED.search(line)
        assert found, f"a payload marker on a line without a destructuring: {line.strip()}"
        keys = {re.split(r"[:=]", part)[0].strip() for part in found.group(1).split(",") if part.strip()}
        assert found.group(2) not in reads, f"{found.group(2)} is read in two places"
        reads[found.group(2)] = keys
    return reads


def typed_dicts_in(kind: object) -> set[type]:
    """The TypedDicts a type annotation holds, at any depth (lists, dicts, optionals, nested)."""
    if typing.is_typeddict(kind):
        assert isinstance(kind, type)
        inner = set().union(*(typed_dicts_in(t) for t in typing.get_type_hints(kind).values()))
        return {kind} | inner
    return set().union(set(), *(typed_dicts_in(arg) for arg in typing.get_args(kind)))


def keys_of(kind: type) -> set[str]:
    return set(typing.get_type_hints(kind))


def test_player_js_reads_exactly_the_schema_keys() -> None:
    reads = js_reads(PLAYER_JS.read_text(encoding="utf-8"))
    assert set(reads) == set(SCHEMA)
    for name, kind in SCHEMA.items():
        assert reads[name] == keys_of(kind), name


def test_schema_lists_every_object_type_of_the_payload() -> None:
    assert typed_dicts_in(PlayerPayload) == set(SCHEMA.values())


def test_a_key_only_one_side_knows_is_caught() -> None:
    """The check is not vacuous: a key Python adds (or JS renames) breaks it."""
    source = PLAYER_JS.read_text(encoding="utf-8")
    renamed = source.replace("const { seq, ok, text } = s;", "const { seq, ok, message } = s;")
    assert renamed != source
    assert js_reads(renamed)["SaveStatus"] != keys_of(SCHEMA["SaveStatus"])
    with pytest.raises(AssertionError, match="without a destructuring"):
        js_reads("const x = data.clip; // payload: ClipInfo")
