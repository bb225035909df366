"""Motion magnification against a synthetic motion of known sub-pixel amplitude: the magnified
displacement, measured by phase correlation (cv2.phaseCorrelate), is gain × the true one — within 6 %
for the linear method (isotropic texture) and 10 % for the phase method (an oriented texture; see
docs/WORKBENCH.md for why isotropic fine texture is magnified less by it) — while motion outside the band
is left alone; and the cache, the api window and the errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import cv2
import numpy as np
import pytest
from sqlalchemy.orm import Session

from db.schema import Clip, Dataset, Frame, Subject
from engine import api
from engine.errors import GlimpseError
from engine.preprocess.magnify import MagnifyConfig, magnify, magnify_float

SIZE, FPS, FRAMES = 64, 200.0, 200  # one second at 200 fps: whole periods for the ideal filter
AMPLITUDE = 0.02  # px: the texture moves by ±0.02 px, 0.04 px peak to peak
KX = np.fft.fftfreq(SIZE)[None, :]
KY = np.fft.fftfreq(SIZE)[:, None]
WINDOW = cv2.createHanningWindow((SIZE, SIZE), cv2.CV_64F)


def texture(sigma_y: float, seed: int = 0) -> Callable[[float], np.ndarray]:
    """A smooth random texture (σ_x = 2 px; σ_y as given: 2 isotropic, 12 oriented) and a renderer of
    it moved right by dx px, exactly (a Fourier phase ramp; no Nyquist bins, so the frames stay real)."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.fft2(rng.normal(size=(SIZE, SIZE))) * np.exp(
        -2 * np.pi**2 * (4.0 * KX**2 + sigma_y**2 * KY**2)
    )
    spectrum[:, SIZE // 2] = spectrum[SIZE // 2, :] = 0
    scale = 40 / np.real(np.fft.ifft2(spectrum)).std()

    def render(dx: float) -> np.ndarray:
        moved = np.real(np.fft.ifft2(spectrum * np.exp(-2j * np.pi * KX * dx)))
        return (128 + scale * moved).astype(np.float32)

    return render


def phase_shift(a: np.ndarray, b: np.ndarray) -> float:
    """Horizontal shift of b against a by cv2.phaseCorrelate (mean removed, Hanning window)."""
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    (dx, _), _ = cv2.phaseCorrelate(a64 - a64.mean(), b64 - b64.mean(), WINDOW)
    return float(dx)


def calibrated(render: Callable[[float], np.ndarray]) -> Callable[[np.ndarray, np.ndarray], float]:
    """phaseCorrelate's sub-pixel estimate is biased (a weighted centroid of the peak): map it back to
    pixels through the same texture rendered at known shifts (monotone over ±1.2 px, checked)."""
    grid = np.linspace(-1.2, 1.2, 97)
    measured = np.array([phase_shift(render(0.0), render(s)) for s in grid])
    assert np.all(np.diff(measured) > 0)
    return lambda a, b: float(np.interp(phase_shift(a, b), measured, grid))


def moving(render: Callable[[float], np.ndarray], hz: float) -> tuple[np.ndarray, int, int]:
    """Frames of the texture moving as AMPLITUDE·sin(2π·hz·t), and the frames of its two extremes."""
    t = np.arange(FRAMES) / FPS
    dx = AMPLITUDE * np.sin(2 * np.pi * hz * t)
    return np.stack([render(x) for x in dx]), int(np.argmin(dx)), int(np.argmax(dx))


@pytest.mark.parametrize(("method", "sigma_y", "tolerance"), [("linear", 2.0, 0.06), ("phase", 12.0, 0.10)])
def test_magnified_displacement_is_gain_times_true(method: str, sigma_y: float, tolerance: float) -> None:
    render = texture(sigma_y)
    measure = calibrated(render)
    frames, low, high = moving(render, hz=5.0)
    true = measure(frames[low], frames[high])
    assert true == pytest.approx(2 * AMPLITUDE, abs=0.002)  # the measurement itself: 0.04 px
    for gain in (2.0, 5.0, 10.0, 20.0):
        cfg = MagnifyConfig(method=method, gain=gain, f_lo=2.0, f_hi=10.0, cutoff_wavelength=0.0)
        out = magnify_float(frames, FPS, cfg)
        assert measure(out[low], out[high]) / true == pytest.approx(gain, rel=tolerance), gain


@pytest.mark.parametrize("method", ["linear", "phase"])
def test_motion_outside_the_band_is_not_magnified(method: str) -> None:
    render = texture(12.0)
    measure = calibrated(render)
    frames, low, high = moving(render, hz=40.0)  # the band is 2–10 Hz
    cfg = MagnifyConfig(method=method, gain=10.0, f_lo=2.0, f_hi=10.0, cutoff_wavelength=0.0)
    out = magnify_float(frames, FPS, cfg)
    assert measure(out[low], out[high]) == pytest.approx(measure(frames[low], frames[high]), abs=0.004)


def test_default_cutoff_gives_fine_levels_less_gain() -> None:
    render = texture(2.0)
    measure = calibrated(render)
    frames, low, high = moving(render, hz=5.0)
    full = magnify_float(frames, FPS, MagnifyConfig(gain=10.0, f_lo=2.0, f_hi=10.0, cutoff_wavelength=0.0))
    capped = magnify_float(frames, FPS, MagnifyConfig(gain=10.0, f_lo=2.0, f_hi=10.0))  # λ_c = 16 px
    assert measure(capped[low], capped[high]) < 0.8 * measure(full[low], full[high])


def test_uint8_output_and_bad_settings() -> None:
    frames = np.stack([texture(2.0)(0.1 * i) for i in range(10)]).clip(0, 255).astype(np.uint8)
    out = magnify(frames, FPS, MagnifyConfig(gain=3.0, f_lo=5.0, f_hi=50.0))
    assert out.shape == frames.shape and out.dtype == np.uint8
    with pytest.raises(GlimpseError, match=r"need 0 < f_lo < f_hi ≤ 100 Hz"):
        magnify(frames, FPS, MagnifyConfig(f_lo=5.0, f_hi=120.0))
    with pytest.raises(GlimpseError, match=r"band \[0.0, 10.0\] Hz"):  # the static image is no motion
        magnify(frames, FPS, MagnifyConfig(f_lo=0.0))
    with pytest.raises(GlimpseError, match="gain 0.5 is out of range"):
        magnify(frames, FPS, MagnifyConfig(gain=0.5))
    with pytest.raises(GlimpseError, match="unknown magnification method"):
        magnify(frames, FPS, MagnifyConfig(method="cubic"))
    with pytest.raises(GlimpseError, match="no frame rate"):
        magnify(frames, 0.0, MagnifyConfig())
    with pytest.raises(GlimpseError, match="≥ 2 frames"):
        magnify(frames[:1], FPS, MagnifyConfig())


def _clip(session: Session, root, fps: float | None) -> int:  # type: ignore[no-untyped-def]
    """A 30-frame catalog clip of a drawn face whose mouth moves by a fraction of a pixel."""
    folder = root / "sub01" / "EP01"
    folder.mkdir(parents=True)
    frames, marks = [], {}
    for i in range(30):
        image = np.full((96, 96), 40, np.uint8)
        cv2.circle(image, (48, 48), 36, 170, -1)
        shift = int(round(8 * 0.3 * np.sin(2 * np.pi * 5 * i / 200)))  # drawn at 8× then shrunk
        big = cv2.resize(image, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
        cv2.line(big, (260, 560 + shift), (500, 560 + shift), 60, 24)
        image = cv2.resize(big, (96, 96), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(folder / f"img{i}.png"), image)
        frames.append(Frame(index=i, number=i, path=f"sub01/EP01/img{i}.png"))
        points = [[12 + k % 72, 15 + (k * 7) % 66] for k in range(68)]  # the ground-truth box decides
        marks[f"img{i}.png"] = {"box": [12, 12, 72, 72], "landmarks": points}
    (folder / "glimpse_landmarks.json").write_text(json.dumps({"format": "ibug68", "frames": marks}))
    ds = Dataset(name="mag", format="casme2", purpose="micro", root=str(root), fps=fps)
    clip = Clip(
        dataset=ds, subject=Subject(dataset=ds, code="sub01"), name="EP01", path="sub01/EP01", fps=fps,
        n_frames=30, first_frame=0, last_frame=29, frames=frames,
    )  # fmt: skip
    session.add(clip)
    session.commit()
    return clip.id


def test_api_window_is_cached_and_shaped_like_the_players(session: Session, home, tmp_path) -> None:  # type: ignore[no-untyped-def]
    clip_id = _clip(session, tmp_path / "ds", 200.0)
    window = api.magnified_window(clip_id, 5, 10, gain=8.0, f_lo=2.0, f_hi=20.0, method="phase")
    assert (window.start, window.numbers) == (5, list(range(5, 15)))
    assert len(window.images) == 10 and window.missing == {}
    first = window.images[0]
    assert first is not None and first.startswith("data:image/png;base64,")
    image = cv2.imdecode(np.frombuffer(base64.b64decode(first.split(",")[1]), np.uint8), 0)
    assert image.shape == (64, 64)  # the size of the player's face crops
    entries = sorted((home / "cache" / "magnified").rglob("*.npy"))
    assert len(entries) == 1
    stamp = entries[0].stat().st_mtime_ns
    again = api.magnified_window(clip_id, 5, 10, gain=8.0, f_lo=2.0, f_hi=20.0, method="phase")
    assert again.images == window.images and entries[0].stat().st_mtime_ns == stamp  # read, not remade
    api.magnified_window(clip_id, 0, 4, gain=4.0, f_lo=2.0, f_hi=20.0)  # another setting, another entry
    assert len(list((home / "cache" / "magnified").rglob("*.npy"))) == 2
    plain = api.frame_window(clip_id, "crops", 5, 10)
    assert plain.numbers == window.numbers and plain.images != window.images
    with pytest.raises(GlimpseError, match=r"≤ 100 Hz"):
        api.magnified_window(clip_id, 0, 4, f_lo=2.0, f_hi=150.0)
