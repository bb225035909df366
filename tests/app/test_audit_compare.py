"""Compare shows a leakage-audit variant beside the leakage-safe one, labelled AUDIT — FLAWED."""

from __future__ import annotations

from app_support import page, texts  # type: ignore[import-not-found]

from db.schema import Metric, Run
from db.session import session_scope
from engine import api
from engine.variants.selection import AUDIT_BADGE, FLAWED_LABEL


def test_compare_labels_the_oracle_variant_as_an_audit(seeded) -> None:
    with session_scope(seeded.url) as s:
        s.add(Run(id="abl-audit", kind="ablation", name="audit", status="succeeded", is_synthetic=True))
        for variant, uf1, selection in (
            ("flowcnn", 0.40, "leakage_safe"),
            ("flowcnn_oracle", 0.70, FLAWED_LABEL),
        ):
            rid = f"abl-audit-{variant}"
            s.add(
                Run(
                    id=rid,
                    parent_id="abl-audit",
                    kind="loso",
                    variant=variant,
                    seed=0,
                    status="succeeded",
                    is_synthetic=True,
                    config={"selection": selection},
                )
            )
            s.add_all(
                Metric(run_id=rid, scope="overall", name=name, value=uf1)
                for name in ("uf1", "uar", "accuracy")
            )
    at = page("compare")
    at.run()
    at.selectbox(key="cmp_ablation").select("abl-audit").run()
    assert not at.exception
    shown = texts(at)
    assert f"**FLOWCNN_ORACLE** :red-badge[{AUDIT_BADGE}]" in shown and "**FLOWCNN** ·" in shown
    assert any("never report it as a result" in w.value for w in at.warning)
    summary = at.dataframe[0].value.set_index(["variant", "metric"])
    assert summary.loc[("flowcnn_oracle", "uf1"), "protocol"] == AUDIT_BADGE
    assert summary.loc[("flowcnn", "uf1"), "protocol"] == "leakage-safe"
    assert {v.name for v in api.variants() if v.audit} == {"flowcnn_oracle"}
