"""The Annotate page's "magnified" view (AppTest on the seeded catalog): the frames sent to the browser
player are the face crops motion-magnified — not the plain crops, and changing with the gain — and a
band the clip cannot take is said above the player, which then shows the plain crops."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

TIMEOUT = 120


def annotate(clip_id: int) -> AppTest:
    at = AppTest.from_string(
        "from workbench.pages import annotate\nannotate.render()\n", default_timeout=TIMEOUT
    )
    at.query_params["clip"] = str(clip_id)
    return at


def sent(at: AppTest) -> dict:
    """What the page sends to the browser player."""
    return json.loads(next(el for el in at.get("bidi_component")).proto.json)


def frames(at: AppTest) -> list[str]:
    images = sent(at)["window"]["images"]
    assert images and all(images)
    return images


def test_magnified_view_sends_magnified_frames_that_follow_the_gain(seeded) -> None:
    cid = seeded.clip_ids[0]  # 10 frames at 200 fps: FFT bins every 20 Hz, so the band must hold some
    at = annotate(cid)
    at.run()
    assert not at.exception
    plain = frames(at)
    assert sent(at)["source"] == "crops"

    at.radio(key=f"ann_source_{cid}").set_value("magnified").run()
    at.number_input(key=f"ann_mag_hi_{cid}").set_value(100.0).run()
    at.number_input(key=f"ann_mag_lo_{cid}").set_value(10.0).run()
    at.slider(key=f"ann_mag_gain_{cid}").set_value(5.0).run()
    assert not at.exception and not at.error
    data = sent(at)
    assert data["source"] == "magnified"
    assert data["frames_key"] == "magnified:linear:5:10:100"
    by_5 = frames(at)
    assert len(by_5) == len(plain)
    assert by_5 != plain

    at.slider(key=f"ann_mag_gain_{cid}").set_value(30.0).run()
    by_30 = frames(at)
    assert sent(at)["frames_key"] == "magnified:linear:30:10:100"
    assert by_30 != by_5 and by_30 != plain


def test_a_band_the_clip_cannot_take_is_said_and_the_crops_show(seeded) -> None:
    cid = seeded.clip_ids[1]
    at = annotate(cid)
    at.run()
    plain = frames(at)
    at.radio(key=f"ann_source_{cid}").set_value("magnified").run()
    at.number_input(key=f"ann_mag_lo_{cid}").set_value(50.0).run()
    at.number_input(key=f"ann_mag_hi_{cid}").set_value(20.0).run()
    assert not at.exception
    errors = "\n".join(str(e.value) for e in at.error)
    assert "cannot magnify this clip: clip EP01_02: band [50.0, 20.0] Hz does not fit the clip" in errors
    assert "f_hi ≤ 100 Hz (half of 200 fps)" in errors
    assert sent(at)["source"] == "crops"
    assert frames(at) == plain
