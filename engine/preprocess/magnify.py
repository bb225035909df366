"""Eulerian motion magnification of a clip's face crops: linear (Wu et al. 2012) and phase-based with
the Riesz transform (after Wadhwa et al. 2014), written with numpy and OpenCV.

Why: a micro-expression moves the face by a fraction of a pixel; ME coders magnify it to see it. Both
methods split every frame into spatial bands, band-pass each band **in time** (an ideal filter: the FFT
over the whole clip, zero outside [f_lo, f_hi] Hz at the clip's frame rate) and amplify what passes.
``gain`` is the factor a motion in the band is multiplied by (1 + α in the papers' notation).

- **linear**: a Laplacian pyramid; each level gets (gain − 1) × its band-passed intensity added. A motion
  δ(t) in the band becomes gain × δ(t) while gain·δ stays small against the level's wavelength
  (first-order Taylor, Wu et al. §3). Levels finer than ``cutoff_wavelength`` (λ_c, default 16 px) get
  less gain, as Wu et al. bound them, so fine texture is magnified less than ``gain`` by default
  (``cutoff_wavelength=0`` turns the bound off).
- **phase**: the local phase of each band (the monogenic signal: the band and its Riesz transform) moves
  by ω·δ when the image moves by δ; the band-passed phase, smoothed in space weighted by the local
  amplitude, is multiplied by (gain − 1) and put back by rotating each coefficient — no intensity is
  added, so noise is not amplified. Two departures from Wadhwa's Riesz *pyramid*, both measured on a
  moving texture (docs/WORKBENCH.md): the bands are undecimated differences of Gaussians (a decimated
  level aliases, and the finest level's phase moved against the motion) and the Riesz transform is exact
  in the Fourier domain (the 3-tap kernel [0.5, 0, −0.5] scales a wave by sin ω, under-magnifying every
  frequency but a level's centre). The phase smoothing averages the phase *vector*, so where orientation
  changes within the smoothing window (isotropic fine texture) the motion is magnified about half as
  much; faces are mostly edges, where it is close to ``gain``. Heavier than linear (see PERFORMANCE.md).

The residual low-pass is never amplified (its wavelengths exceed the face). The input is (T, H, W)
grayscale; the output has the same shape, uint8 (clipped) or float. Caching is
``engine.preprocess.magnify_cache``'s job.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import cv2
import numpy as np
import scipy.fft as sfft

from engine.errors import GlimpseError

METHODS = ("linear", "phase")
CHANNELS = 256  # frames per OpenCV call (frames travel as the channels of one image)


@dataclass(frozen=True)
class MagnifyConfig:
    """What a magnified clip depends on (with the clip's frames and fps): its cache key."""

    method: str = "linear"
    gain: float = 10.0  # a motion in the band is multiplied by this (1 + α)
    f_lo: float = 1.0  # Hz: an ME's onset → apex → offset takes 0.1–0.5 s
    f_hi: float = 10.0  # Hz
    levels: int = 0  # Laplacian levels; 0 = as many as leave a residual of ≥ 4 px
    cutoff_wavelength: float = 16.0  # px, linear only: finer levels get less gain (Wu et al.'s λ_c)
    phase_sigma: float = (
        1.0  # px at the finest band (doubling per band), phase only: amplitude-weighted smoothing
    )

    def check(self, fps: float) -> None:
        """A clear error for a setting the clip cannot take (what, and the range that works)."""
        if self.method not in METHODS:
            raise GlimpseError(f"unknown magnification method {self.method!r}", hint=f"one of {METHODS}")
        if not 1.0 <= self.gain <= 100.0:
            raise GlimpseError(f"magnification gain {self.gain} is out of range", hint="use 1..100")
        if not fps or fps <= 0:
            raise GlimpseError("the clip has no frame rate", hint="a band in Hz needs the clip's fps")
        nyquist = fps / 2
        if not 0.0 < self.f_lo < self.f_hi <= nyquist:
            raise GlimpseError(
                f"band [{self.f_lo}, {self.f_hi}] Hz does not fit the clip",
                hint=f"need 0 < f_lo < f_hi ≤ {nyquist:g} Hz (half of {fps:g} fps)",
            )
        if self.levels < 0 or self.cutoff_wavelength < 0 or self.phase_sigma < 0:
            raise GlimpseError("levels, cutoff wavelength and phase smoothing must be ≥ 0")

    def params(self) -> dict[str, object]:
        return asdict(self)


def _by_channels(stack: np.ndarray, op: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Apply a 2-D OpenCV op to an (H, W, T) stack, T frames as channels, in chunks OpenCV accepts."""
    parts = [
        op(np.ascontiguousarray(stack[:, :, i : i + CHANNELS])) for i in range(0, stack.shape[2], CHANNELS)
    ]
    parts = [p[:, :, None] if p.ndim == 2 else p for p in parts]  # OpenCV drops a single channel axis
    return np.concatenate(parts, axis=2)


def _down(stack: np.ndarray) -> np.ndarray:
    return _by_channels(stack, cv2.pyrDown)


def _up(stack: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    return _by_channels(stack, lambda s: cv2.pyrUp(s, dstsize=(w, h)))


def auto_levels(height: int, width: int) -> int:
    """Pyramid levels leaving a residual of at least 4 px on its short side (64 px → 4)."""
    return max(1, int(math.floor(math.log2(min(height, width) / 4))))


def laplacian_pyramid(stack: np.ndarray, levels: int) -> list[np.ndarray]:
    """(H, W, T) float32 → [L_0 (finest), …, L_{levels-1}, residual]; ``collapse`` inverts it exactly."""
    pyramid = []
    current = stack
    for _ in range(levels):
        smaller = _down(current)
        pyramid.append(current - _up(smaller, current.shape[:2]))
        current = smaller
    pyramid.append(current)
    return pyramid


def collapse(pyramid: list[np.ndarray]) -> np.ndarray:
    current = pyramid[-1]
    for level in reversed(pyramid[:-1]):
        current = level + _up(current, level.shape[:2])
    return current


def temporal_bandpass(stack: np.ndarray, fps: float, f_lo: float, f_hi: float, axis: int = -1) -> np.ndarray:
    """Ideal band-pass along the time ``axis``: FFT over the clip, zero outside [f_lo, f_hi] Hz, inverse."""
    n = stack.shape[axis]
    spectrum = np.moveaxis(sfft.rfft(stack, axis=axis), axis, -1)
    freqs = sfft.rfftfreq(n, d=1.0 / fps)
    spectrum[..., (freqs < f_lo) | (freqs > f_hi)] = 0
    return np.asarray(sfft.irfft(np.moveaxis(spectrum, -1, axis), n=n, axis=axis), dtype=np.float32)


def _level_gain(level: int, alpha: float, cutoff: float) -> float:
    """Wu et al.'s bound: a level of wavelength λ (≈ 2^(level+2) px) takes α while (1+α)δ < λ/8."""
    if cutoff <= 0:
        return alpha
    wavelength = 2.0 ** (level + 2)
    return float(min(alpha, max(0.0, wavelength / cutoff * (1 + alpha) - 1)))


def _linear(pyramid: list[np.ndarray], fps: float, cfg: MagnifyConfig) -> list[np.ndarray]:
    alpha = cfg.gain - 1
    out = []
    for level, band in enumerate(pyramid[:-1]):
        gain = _level_gain(level, alpha, cfg.cutoff_wavelength)
        out.append(band + gain * temporal_bandpass(band, fps, cfg.f_lo, cfg.f_hi) if gain > 0 else band)
    return [*out, pyramid[-1]]


class _Spectrum:
    """Every frame of a (T, H, W) stack in the Fourier domain, mirrored to (2H, 2W) first so no filter
    sees an edge where the crop ends; filters are multiplications, each result one inverse FFT."""

    def __init__(self, stack: np.ndarray) -> None:
        self.h, self.w = stack.shape[1:]
        mirrored = np.concatenate([stack, stack[:, ::-1]], axis=1)
        mirrored = np.concatenate([mirrored, mirrored[:, :, ::-1]], axis=2)
        self.spectrum = sfft.rfft2(mirrored)
        self.ky = sfft.fftfreq(2 * self.h).astype(np.float32)[:, None]
        self.kx = sfft.rfftfreq(2 * self.w).astype(np.float32)[None, :]
        self.k2 = self.kx**2 + self.ky**2
        norm = np.sqrt(self.k2)
        norm[0, 0] = 1.0
        # the Riesz transform, exact: R̂_x = −i·k_x/|k|·f̂, R̂_y = −i·k_y/|k|·f̂
        self.riesz_x, self.riesz_y = -1j * self.kx / norm, -1j * self.ky / norm

    def gaussian(self, sigma: float) -> np.ndarray:
        """The transfer function of a Gaussian blur of ``sigma`` px (1 for sigma 0)."""
        return np.exp(-2 * np.pi**2 * sigma**2 * self.k2).astype(np.float32)

    def back(self, transfer: np.ndarray | float) -> np.ndarray:
        full = sfft.irfft2(self.spectrum * transfer, s=(2 * self.h, 2 * self.w))
        return np.ascontiguousarray(full[:, : self.h, : self.w], dtype=np.float32)


def band_sigmas(levels: int) -> list[float]:
    """Blur of each band's edges: band_l = G_{σ_l}·I − G_{σ_{l+1}}·I with σ = 0, 1, 2, 4, … px."""
    return [0.0, *(2.0**level for level in range(levels))]


def _smooth(stack: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0:
        return stack
    spectrum = _Spectrum(stack)
    return spectrum.back(spectrum.gaussian(sigma))


def _phase_band(
    band: np.ndarray, r1: np.ndarray, r2: np.ndarray, fps: float, cfg: MagnifyConfig, sigma: float
) -> np.ndarray:
    """One (T, H, W) band magnified by its Riesz phase (Wadhwa et al. 2014, ideal temporal filter)."""
    # quaternionic phase difference of each frame to the one before (q_t · conj(q_{t-1})), summed in time
    prev = (np.roll(band, 1, axis=0), np.roll(r1, 1, axis=0), np.roll(r2, 1, axis=0))
    real = band * prev[0] + r1 * prev[1] + r2 * prev[2]
    imag1 = r1 * prev[0] - band * prev[1]
    imag2 = r2 * prev[0] - band * prev[2]
    norm = np.sqrt(imag1**2 + imag2**2)
    angle = np.arctan2(norm, real)  # ∈ [0, π]: the phase difference along the local orientation
    safe = np.where(norm > 1e-12, norm, 1.0)
    diff_cos, diff_sin = angle * imag1 / safe, angle * imag2 / safe
    diff_cos[0] = diff_sin[0] = 0  # the first frame is the reference
    phase_cos, phase_sin = np.cumsum(diff_cos, axis=0), np.cumsum(diff_sin, axis=0)
    amplitude = np.sqrt(band**2 + r1**2 + r2**2) + 1e-6
    alpha = cfg.gain - 1
    band_cos = temporal_bandpass(phase_cos, fps, cfg.f_lo, cfg.f_hi, axis=0)
    band_sin = temporal_bandpass(phase_sin, fps, cfg.f_lo, cfg.f_hi, axis=0)
    # amplitude-weighted smoothing in space, the three blurs in one transform
    smoothed = _smooth(np.concatenate([amplitude, amplitude * band_cos, amplitude * band_sin]), sigma)
    weight, shift_cos, shift_sin = np.split(smoothed, 3)
    shift_cos, shift_sin = alpha * shift_cos / weight, alpha * shift_sin / weight
    shift = np.sqrt(shift_cos**2 + shift_sin**2)
    safe_shift = np.where(shift > 1e-12, shift, 1.0)
    # rotate each coefficient by the magnified phase: f' = f cos|Δ| − (Δ_c R1 + Δ_s R2)/|Δ| · sin|Δ|
    rotated = band * np.cos(shift) - (shift_cos * r1 + shift_sin * r2) / safe_shift * np.sin(shift)
    return rotated.astype(np.float32)


def _phase(frames: np.ndarray, levels: int, fps: float, cfg: MagnifyConfig) -> np.ndarray:
    """(T, H, W) → (T, H, W): undecimated bands (differences of Gaussians, summing to the input exactly),
    each with its Riesz transform, magnified by phase; the residual low-pass kept as it is.

    Why not the decimated Laplacian pyramid for phase: its subsampling aliases, so a fine level of a moved
    image is not the moved level, and on a textured crop the finest level's phase moved *against* the
    motion (measured); undecimated bands move exactly with the image.
    """
    spectrum = _Spectrum(frames)
    gaussians = [spectrum.gaussian(sigma) for sigma in band_sigmas(levels)]
    out = spectrum.back(gaussians[-1])  # the residual
    for level in range(levels):
        transfer = gaussians[level] - gaussians[level + 1]
        band = spectrum.back(transfer)
        r1, r2 = spectrum.back(transfer * spectrum.riesz_x), spectrum.back(transfer * spectrum.riesz_y)
        out += _phase_band(band, r1, r2, fps, cfg, cfg.phase_sigma * 2.0**level)  # smoothing ∝ band scale
    return out


def magnify(frames: np.ndarray, fps: float, cfg: MagnifyConfig = MagnifyConfig()) -> np.ndarray:
    """(T, H, W) grayscale frames magnified as ``cfg`` says → (T, H, W) uint8 (what the player shows)."""
    return np.clip(np.rint(magnify_float(frames, fps, cfg)), 0, 255).astype(np.uint8)


def magnify_float(frames: np.ndarray, fps: float, cfg: MagnifyConfig = MagnifyConfig()) -> np.ndarray:
    """(T, H, W) grayscale frames magnified → (T, H, W) float32, neither rounded nor clipped."""
    cfg.check(fps)
    frames = np.asarray(frames)
    if frames.ndim != 3 or frames.shape[0] < 2:
        raise GlimpseError(
            f"magnification needs (frames, height, width) with ≥ 2 frames, got shape {frames.shape}"
        )
    as_float = frames.astype(np.float32)
    levels = cfg.levels or auto_levels(*frames.shape[1:])
    if cfg.method == "phase":
        return _phase(as_float, levels, fps, cfg)
    stack = np.ascontiguousarray(np.transpose(as_float, (1, 2, 0)))  # (H, W, T): frames as channels
    out = collapse(_linear(laplacian_pyramid(stack, levels), fps, cfg))
    return np.ascontiguousarray(np.transpose(out, (2, 0, 1)))
