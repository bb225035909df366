"""The three layouts, as their public repositories read them.

- STSTNet (Liong et al. 2019, github christy1206/STSTNet ``main.py``): ``norm_u_v_os/<subject>/u_train|
  u_test/<label>/<image>`` of 28×28×3 u / v / strain images, labels negative 0, positive 1, surprise 2;
  ``video442subName.txt`` lists the subjects.
- HTNet (Wang et al. 2023, github wangzhifengharrison/HTNet ``main_HTNet.py``): the same LOSO tree under
  ``datasets/three_norm_u_v_os`` whose file names ``<sub>_<clip> .png`` (with the space) key the whole-face
  flow images in ``datasets/STSNet_whole_norm_u_v_os``; ``combined_3_class2_for_optical_flow.csv``
  (dataset, sub, filename_o, label, apex, imagename, sub_filename) names the apex faces in
  ``datasets/combined_datasets_whole`` that HTNet finds its five facial points on.
- CausalNet (Zhang et al., ICCV 2025, github tony19980810/CausalNet ``main_train.py``): HTNet's layout
  plus three more images per clip, ``<sub>_<clip>_1 .png`` … ``_3 .png``. Its
  ``main_train_for_parameter_tuning.py`` (lines 206-209) names the four inputs: onset-apex OF (the HTNet
  image), apex-offset OF (``_1``), onset-apex direction map (``_2``) and apex-offset direction map
  (``_3``); its model adds ``_2`` to the onset→apex stream and ``_3`` to the apex→offset stream
  (``Models.py`` ``forward``, lines 540-605: ``x = x + x2``, ``x1 = x1 + x3``).
"""

from __future__ import annotations

from pathlib import Path

from engine.export.inputs import ExportClip, ExportSet
from engine.export.layout import loso_tree, write_csv, write_flow_png, write_gray
from engine.export.registry import register_export_format

HTNET_CSV = "combined_3_class2_for_optical_flow.csv"
HTNET_COLUMNS = ("dataset", "sub", "filename_o", "label", "apex", "imagename", "sub_filename")
# CausalNet's extra images, in order _1, _2, _3 (engine.export.inputs.clip_images makes them)
CAUSALNET_EXTRA = ("apex_offset", "onset_apex_direction", "apex_offset_direction")


# per format: file (relative to a clip's stem) → the ``clip_images`` image it holds, for the manifest
FORMAT_IMAGES: dict[str, dict[str, str]] = {
    "ststnet": {".png": "onset_apex"},
    "htnet": {" .png": "onset_apex"},
    "causalnet": {" .png": "onset_apex", **{f"_{k} .png": name for k, name in enumerate(CAUSALNET_EXTRA, 1)}},
}


def _stem(clip: ExportClip) -> str:
    return f"{clip.subject}_{clip.name}"


def _keyed(clip: ExportClip, suffix: str = "") -> str:
    """HTNet / CausalNet image names: ``<sub>_<clip><suffix> .png`` — the space is theirs."""
    return f"{_stem(clip)}{suffix} .png"


@register_export_format("ststnet")
def write_ststnet(export: ExportSet, root: Path) -> None:
    loso_tree(root / "norm_u_v_os", export, lambda c: f"{_stem(c)}.png")
    subjects = sorted({c.subject for c in export.clips})
    (root / "video442subName.txt").write_text("".join(f"{s}\n" for s in subjects))
    write_csv(
        root / "labels.csv",
        ("subject", "clip", "label", "label_index", "onset", "apex", "offset", "image"),
        [
            (c.subject, c.name, c.label, c.label_index, c.onset, c.apex, c.offset, f"{_stem(c)}.png")
            for c in export.clips
        ],
    )


def _htnet_common(export: ExportSet, root: Path) -> None:
    data = root / "datasets"
    loso_tree(data / "three_norm_u_v_os", export, _keyed)
    for clip in export.clips:
        write_flow_png(data / "STSNet_whole_norm_u_v_os" / _keyed(clip), clip.flows["onset_apex"])
        write_gray(data / "combined_datasets_whole" / f"{_stem(clip)}.jpg", clip.apex_face)
    write_csv(
        root / HTNET_CSV,
        HTNET_COLUMNS,
        [(c.dataset, c.subject, c.name, c.label_index, c.apex, f"{_stem(c)}.jpg", "") for c in export.clips],
    )


@register_export_format("htnet")
def write_htnet(export: ExportSet, root: Path) -> None:
    _htnet_common(export, root)


@register_export_format("causalnet")
def write_causalnet(export: ExportSet, root: Path) -> None:
    _htnet_common(export, root)
    for clip in export.clips:
        for k, pair in enumerate(CAUSALNET_EXTRA, start=1):
            write_flow_png(
                root / "datasets" / "STSNet_whole_norm_u_v_os" / _keyed(clip, f"_{k}"), clip.flows[pair]
            )
