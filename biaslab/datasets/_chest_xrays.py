"""Synthetic chest X-rays whose cohort (sex, age, disease) follows the real NIH ChestX-ray14 data.

No real radiograph is used or imitated pixel by pixel: every image is drawn from a small
parametric model of a frontal chest radiograph (body, lungs, heart, mediastinum, ribs,
clavicles, breast shadows, aortic knob, hila, smooth anatomical texture), shaped by the
patient's sex and age, with soft opacities in the lung fields for the diseased, and then
"acquired" by a hospital site (exposure, contrast, gamma, blur, noise). Everything is
vectorised over a batch of images on a coordinate grid, so 10,000 images of 64x64 take about
a second.
"""

from __future__ import annotations

import functools
import numbers
import os
import textwrap
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .._validation import check_positive_int, check_random_state
from ._base import Bunch, data_file

__all__ = ["make_chest_xrays", "CHEST_XRAY_SITES", "AGE_BANDS"]

AGE_BANDS = ("0-20", "20-40", "40-60", "60-80", "80+")
_AGE_EDGES = (0, 20, 40, 60, 80)
_MIN_IMAGE_SIZE = 32
_BATCH_PIXELS = 1 << 17  # pixels per rendering batch (32 images of 64x64): temporaries stay in cache
_MAX_THREADS = 4
_COHORT_FILE = "nih_chestxray14/cohort_counts.csv"

# How each built-in hospital site acquires its images. ``blur`` and the noise level are given for
# a 64x64 image (blur in pixels, scaled with image_size); ``gamma`` < 1 brightens mid-tones;
# ``heel`` is a left-right exposure gradient (the anode heel effect).
_SITES = {
    "A": dict(exposure=0.00, contrast=1.00, gamma=1.00, blur=0.70, noise=0.030, heel=0.00),
    "B": dict(exposure=0.04, contrast=0.88, gamma=0.85, blur=1.00, noise=0.045, heel=0.05),
    "C": dict(exposure=-0.03, contrast=0.92, gamma=1.15, blur=0.90, noise=0.060, heel=-0.04),
}
CHEST_XRAY_SITES = MappingProxyType({name: MappingProxyType(acq) for name, acq in _SITES.items()})  # read-only
_SITE_NOTES = {
    "A": "reference site (the training hospital)",
    "B": "external site: brighter, flatter (lower contrast, gamma 0.85), blurrier, noisier",
    "C": "external site: darker (gamma 1.15), much noisier (bedside-like)",
}

_F32 = np.float32


@functools.cache
def _cohort_cells() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cells of the shipped NIH table: sex (0=F, 1=M), age_min, age_max, disease, probability."""
    table = pd.read_csv(data_file(_COHORT_FILE))
    counts = table["n_images"].to_numpy(np.float64)
    prob = counts / counts.sum()
    return (
        (table["sex"] == "M").to_numpy(np.int8),
        table["age_min"].to_numpy(np.int64),
        table["age_max"].to_numpy(np.int64),
        table["lung_opacity"].to_numpy(np.int8),
        prob,
    )


def _check_image_size(image_size) -> int:
    if isinstance(image_size, bool) or not isinstance(image_size, numbers.Integral):
        raise TypeError(f"image_size must be an int of at least {_MIN_IMAGE_SIZE}, got {type(image_size).__name__}.")
    if image_size < _MIN_IMAGE_SIZE:
        raise ValueError(
            f"image_size must be at least {_MIN_IMAGE_SIZE} (ribs and lesions need the pixels), got {image_size}."
        )
    return int(image_size)


def _check_sites(sites) -> tuple[list[str], np.ndarray]:
    """Return site names and their shares (summing to 1)."""
    known = ", ".join(map(repr, CHEST_XRAY_SITES))
    if isinstance(sites, str):
        sites = (sites,)
    if isinstance(sites, Mapping):
        names = list(sites)
        shares = []
        for name in names:
            share = sites[name]
            if isinstance(share, bool) or not isinstance(share, numbers.Real) or not np.isfinite(share):
                raise TypeError(f"sites: the share of site {name!r} must be a finite number, got {share!r}.")
            if share < 0:
                raise ValueError(f"sites: the share of site {name!r} must be non-negative, got {share}.")
            shares.append(float(share))
        shares = np.asarray(shares, dtype=np.float64)
    elif isinstance(sites, (Sequence, np.ndarray, pd.Index)):
        names = [str(x) if isinstance(x, np.str_) else x for x in sites]
        shares = np.ones(len(names), dtype=np.float64)
    else:
        raise TypeError(
            f"sites must be a site name, a sequence of site names or a mapping of name -> share "
            f"(sites: {known}); got {type(sites).__name__}."
        )
    if not names:
        raise ValueError(f"sites is empty: name at least one of {known}.")
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"sites must name sites by string ({known}); got {name!r}.")
        if name not in CHEST_XRAY_SITES:
            raise ValueError(f"sites: unknown site {name!r}; the built-in sites are {known}.")
    if len(set(names)) != len(names):
        raise ValueError(f"sites names a site twice: {names}.")
    if shares.sum() <= 0:
        raise ValueError("sites: the shares must have a positive sum.")
    return names, shares / shares.sum()


def _exact_counts(n: int, shares: np.ndarray) -> np.ndarray:
    """Split n into integer counts proportional to shares (largest remainder, ties to the first)."""
    raw = shares * n
    counts = np.floor(raw).astype(np.int64)
    rest = n - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def _sample_cohort(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    male, age_min, age_max, disease, prob = _cohort_cells()
    cell = rng.choice(len(prob), size=n, p=prob)
    age = rng.integers(age_min[cell], age_max[cell] + 1)
    return {"male": male[cell], "age": age, "disease": disease[cell]}


def _draw_params(cohort: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-image anatomy, drawn from the patient's sex and age (all float32, shape (n,))."""
    n = cohort["age"].shape[0]
    age = cohort["age"].astype(np.float64)
    male = cohort["male"].astype(np.float64)
    sign = 2.0 * male - 1.0  # +1 male, -1 female

    def normal(scale):
        return rng.normal(0.0, scale, n)

    def uniform(low, high):
        return rng.uniform(low, high, n)

    # smooth functions of age; each cue changes over a different part of life
    growth = np.clip(0.55 + 0.45 * age / 20.0, 0.55, 1.0)  # children and teens are smaller in the frame
    maturity = np.clip(age / 28.0, 0.0, 1.0)
    puberty = np.clip((age - 11.0) / 6.0, 0.0, 1.0)  # how far sex differences have developed
    elderly = np.clip((age - 35.0) / 50.0, 0.0, 1.0)
    # bone mineral density: rises until the late twenties, falls later (faster in women after menopause)
    bone = 0.45 + 0.55 * maturity - elderly * np.where(male > 0, 0.4, 0.65)

    p = {}
    p["cx"] = normal(0.03)
    p["cy"] = normal(0.03) + 0.02
    p["scale"] = growth * (1.0 + normal(0.03))
    p["width"] = 0.70 * (1.0 + 0.08 * puberty * sign + normal(0.035))  # thorax half-width (x scale)
    p["height"] = 1.0 + 0.05 * puberty * sign + 0.10 * elderly + normal(0.03)  # male; hyperinflation
    p["lung_dark"] = 0.27 + 0.10 * elderly + normal(0.02)
    p["heart"] = (1.0 + 0.22 * np.clip(1.0 - age / 10.0, 0.0, 1.0) + 0.08 * elderly) * (1.0 + normal(0.06))
    p["mediastinum"] = 1.0 + 0.35 * elderly + normal(0.05)
    p["bone"] = np.clip(bone + normal(0.06), 0.2, 1.1)
    p["rib_curve"] = (0.05 + 0.25 * np.clip(age / 20.0, 0.0, 1.0) + 0.10 * elderly) * (1.0 + normal(0.1))
    p["rib_phase"] = uniform(0.0, 2.0 * np.pi)
    p["knob"] = 0.26 * elderly * (1.0 + normal(0.2)).clip(0.0)
    p["breast"] = np.where(male > 0, 0.0, puberty * uniform(0.07, 0.16))
    p["breast_size"] = uniform(0.85, 1.2)
    p["texture"] = 0.030 + 0.035 * elderly + normal(0.004)
    p["tissue"] = 0.38 + 0.06 * maturity + 0.04 * sign * puberty + normal(0.02)
    return {k: v.astype(_F32) for k, v in p.items()}


def _draw_lesions(disease: np.ndarray, rng: np.random.Generator, max_lesions: int = 3) -> dict[str, np.ndarray]:
    """Opacities of the diseased: 1-3 soft blobs in the lung fields, lower zones more often."""
    n = disease.shape[0]
    count = rng.choice(np.arange(1, max_lesions + 1), size=n, p=[0.55, 0.30, 0.15])
    present = (np.arange(max_lesions)[None, :] < count[:, None]) & (disease[:, None] > 0)
    shape = (n, max_lesions)
    contrast = rng.uniform(0.2, 1.0, n) ** 1.2 * 0.24  # many lesions are subtle
    les = {
        "amp": np.where(present, contrast[:, None] * rng.uniform(0.7, 1.0, shape), 0.0),
        "side": rng.choice([-1.0, 1.0], size=shape),
        "u": rng.uniform(-0.75, 0.75, shape),  # position across the lung (relative)
        "v": rng.beta(2.2, 1.6, shape) * 1.5 - 0.8,  # position along the lung, skewed to the base
        "sigma": rng.uniform(0.06, 0.15, shape),
        "aspect": rng.uniform(0.7, 1.4, shape),
    }
    out = {k: v.astype(_F32) for k, v in les.items()}
    out["contrast"] = np.where(disease > 0, contrast, 0.0).astype(_F32)
    return out


@functools.cache
def _interpolation_matrix(k: int, size: int) -> np.ndarray:
    """(size, k) matrix of linear interpolation from k edge-aligned knots to size pixels."""
    pos = np.linspace(0.0, k - 1.0, size)
    lo = np.minimum(np.floor(pos).astype(np.int64), k - 2)
    w = pos - lo
    mat = np.zeros((size, k))
    mat[np.arange(size), lo] = 1.0 - w
    mat[np.arange(size), lo + 1] = w
    return mat.astype(_F32)


def _ramp(z):
    """Clip to [0, 1] in place: a linear soft edge, cheaper than a sigmoid."""
    return np.clip(z, 0.0, 1.0, out=z)


def _soft_ellipse(u2, v2, sharpness, out):
    """1 inside, 0 outside, a linear edge in between, written to ``out``. u2 (b, 1, S) and
    v2 (b, S, 1) are the squared normalised distances along x and y."""
    return _ramp(np.subtract(sharpness * (1.0 - u2), sharpness * v2, out=out))


def _binomial_blur(a: np.ndarray, passes: int, t1: np.ndarray, t2: np.ndarray) -> None:
    """In-place separable [1, 2, 1]/4 blur of ``a``, repeated ``passes`` times (sigma =
    sqrt(passes / 2) pixels), edges replicated; t1 and t2 are scratch arrays like ``a``."""
    for _ in range(passes):
        # rows: a -> t2
        np.add(a[:, :-1], a[:, 1:], out=t1[:, :-1])
        np.add(t1[:, :-2], t1[:, 1:-1], out=t2[:, 1:-1])
        np.add(a[:, :1] * 3.0, a[:, 1:2], out=t2[:, :1])
        np.add(a[:, -1:] * 3.0, a[:, -2:-1], out=t2[:, -1:])
        # columns: t2 -> a
        np.add(t2[:, :, :-1], t2[:, :, 1:], out=t1[:, :, :-1])
        np.add(t1[:, :, :-2], t1[:, :, 1:-1], out=a[:, :, 1:-1])
        np.add(t2[:, :, :1] * 3.0, t2[:, :, 1:2], out=a[:, :, :1])
        np.add(t2[:, :, -1:] * 3.0, t2[:, :, -2:-1], out=a[:, :, -1:])
        a *= 1.0 / 16.0


class _Workspace:
    """Scratch arrays for one rendering thread, reused from batch to batch (fresh temporaries
    for every operation would spend more time in page faults than in arithmetic)."""

    def __init__(self, batch: int, size: int):
        shape = (batch, size, size)
        self.img, self.lung, self.cen, self.t1, self.t2 = (np.empty(shape, dtype=_F32) for _ in range(5))

    def views(self, b: int):
        return self.img[:b], self.lung[:b], self.cen[:b], self.t1[:b], self.t2[:b]


def _render(p: dict, les: dict, site_rows: list, size: int, rng: np.random.Generator,
            ws: _Workspace, out_images: np.ndarray, out_mask: np.ndarray) -> None:
    """Draw a batch into ``out_images`` and ``out_mask``: anatomy + lesions, then each image's
    site acquisition.

    Coordinates are in [-1, 1] (x to the image right = the patient's left, y downwards),
    centred on the body and divided by its scale. Per-image terms that depend on x only or y
    only are small (b, 1, S) or (b, S, 1) arrays; full (b, S, S) passes are kept few and write
    into the workspace.
    """
    b = p["cx"].shape[0]
    img, lung, cen, t1, t2 = ws.views(b)
    grid = np.linspace(-1.0, 1.0, size, dtype=_F32)
    col = lambda v: v.reshape(b, 1, 1)  # noqa: E731  per-image scalar, broadcasts over pixels
    s = col(p["scale"])
    X = (grid[None, None, :] - col(p["cx"])) / s  # (b, 1, S)
    Y = (grid[None, :, None] - col(p["cy"])) / s  # (b, S, 1)
    AX = np.abs(X)
    W = col(p["width"])
    H = col(p["height"])
    bone = col(p["bone"])
    top = _ramp((Y + 1.0) * 6.0)  # (b, S, 1): the body continues above the frame, fading in

    # body soft tissue: a soft box whose top narrows from the shoulders to the neck
    shoulder = np.maximum(-0.74 - Y, 0.0) ** 2 * 27.0
    _ramp(np.subtract((W * 1.14 - AX) * 9.0, shoulder, out=img))
    img *= col(p["tissue"])

    # central soft tissue: mediastinum (widening with age) and heart (to the image right,
    # relatively larger in young children); it hides the lung behind it
    hr = col(p["heart"])
    _soft_ellipse(((X - 0.10 * hr) / (0.36 * hr)) ** 2, ((Y - 0.36) / (0.29 * hr)) ** 2, 4.0, out=cen)
    np.multiply(_ramp((0.12 * col(p["mediastinum"]) - AX) * 14.0), top, out=t1)
    np.maximum(cen, t1, out=cen)
    np.multiply(cen, 0.08, out=t1)
    img += t1  # slightly denser than the surrounding soft tissue

    # lungs: two soft ellipses (symmetric in |x|), apex rounded, the base a diaphragm dome
    _soft_ellipse(((AX - W * 0.56) / (W * 0.45)) ** 2, ((Y + 0.12 - 0.10 * H) / (0.64 * H)) ** 2, 5.0, out=lung)
    np.subtract(1.0, cen, out=cen)
    lung *= cen
    np.multiply(lung, col(p["lung_dark"]), out=t1)
    img -= t1

    # spine (vertebrae), hila (vessels at the lung roots), aortic knob (grows with age)
    vertebrae = (0.75 + 0.25 * np.cos(Y * (2 * np.pi / 0.13))) * top
    img += np.multiply(np.exp(-((X / 0.075) ** 2)), vertebrae * (0.16 * bone), out=t1)
    img += np.multiply(np.exp(-(((AX - 0.20) / 0.08) ** 2)), np.exp(-(((Y + 0.05) / 0.12) ** 2)) * 0.07, out=t1)
    img += np.multiply(
        np.exp(-(((X - 0.13) / 0.07) ** 2)), np.exp(-(((Y + 0.42) / 0.07) ** 2)) * col(p["knob"]), out=t1
    )

    # ribs: arcs y = c + k x^2, periodic in c; bone density sets their brightness
    freq = 2 * np.pi / 0.17
    np.subtract(Y * freq + col(p["rib_phase"]), (col(p["rib_curve"]) * freq) * (X * X), out=t1)
    np.cos(t1, out=t1)
    t1 += 1.0
    np.square(t1, out=t1)  # sharpen: (1 + cos)^2 in [0, 4]
    np.multiply(_ramp((W * 1.08 - AX) * 8.0) * (0.022 * bone), _ramp((0.75 - Y) * 6.0) * _ramp((Y + 0.85) * 6.0), out=t2)
    t1 *= t2
    img += t1

    # clavicles: bright ridges rising laterally from the top of the sternum
    np.subtract((Y + 0.72) / 0.04, AX * (0.20 / 0.04), out=t1)
    np.square(t1, out=t1)
    np.negative(t1, out=t1)
    np.exp(t1, out=t1)
    t1 *= _ramp((W * 0.95 - AX) * 8.0) * _ramp((AX - 0.05) * 20.0) * (0.22 * bone)
    img += t1

    # breast shadows (adult women): soft density over the lower lateral lung fields
    bs = col(p["breast_size"])
    _soft_ellipse(((AX - W * 0.66) / (W * 0.55 * bs)) ** 2, ((Y - 0.45) / (0.38 * bs)) ** 2, 3.0, out=t1)
    t1 *= col(p["breast"])
    img += t1

    # smooth anatomical texture (vessels, overlapping soft tissue) inside the lungs: bilinear
    # upsampling of a 9x9 random grid, as two matrix products
    k = 9
    coarse = np.frombuffer(rng.bytes(b * k * k), dtype=np.int8).reshape(b, k, k).astype(_F32)
    coarse *= col(p["texture"]) / 73.9  # the std of uniform int8 is about 73.9
    U = _interpolation_matrix(k, size)
    rows = (U @ coarse.transpose(1, 0, 2).reshape(k, b * k)).reshape(size, b, k)
    np.matmul(rows.transpose(1, 0, 2).reshape(b * size, k), U.T, out=t1.reshape(b * size, size))
    t1 *= lung
    img += t1

    # opacities (diseased only): soft anisotropic Gaussian blobs in the lung fields
    out_mask[...] = False
    sick = np.flatnonzero(les["amp"].max(axis=1) > 0)
    if sick.size:
        Xs, Ys, Ws, Hs = X[sick], Y[sick], p["width"][sick], p["height"][sick]
        m = sick.size
        c3 = lambda v: v.reshape(m, 1, 1)  # noqa: E731
        lesion = np.zeros((m, size, size), dtype=_F32)
        for j in range(les["amp"].shape[1]):
            cx = les["side"][sick, j] * (Ws * (0.56 + 0.32 * les["u"][sick, j]))
            cy = (0.10 * Hs - 0.12) + 0.56 * Hs * les["v"][sick, j]
            sx = les["sigma"][sick, j] * les["aspect"][sick, j]
            sy = les["sigma"][sick, j] / les["aspect"][sick, j]
            gx = np.exp(-0.5 * ((Xs - c3(cx)) / c3(sx)) ** 2) * c3(les["amp"][sick, j])
            gy = np.exp(-0.5 * ((Ys - c3(cy)) / c3(sy)) ** 2)
            lesion += gx * gy
        lesion *= np.minimum(lung[sick] * 1.5, 1.0)
        peak = lesion.max(axis=(1, 2), keepdims=True)
        out_mask[sick] = (lesion > 0.3 * peak) & (peak > 0)
        img[sick] += lesion

    # acquisition by each image's site: blur, exposure/contrast, heel effect, gamma, noise
    noise = np.frombuffer(rng.bytes(b * size * size), dtype=np.int8).reshape(b, size, size)
    for site, rows_ in site_rows:
        acq = CHEST_XRAY_SITES[site]
        if rows_ is None:
            sub, n1, n2, nz = img, t1, t2, noise
        else:
            sub, nz = img[rows_], noise[rows_]
            n1, n2 = np.empty_like(sub), np.empty_like(sub)
        _binomial_blur(sub, max(1, round(2.0 * (acq["blur"] * size / 64.0) ** 2)), n1, n2)
        sub *= _F32(acq["contrast"])
        sub += (_F32(0.15 * (1.0 - acq["contrast"]) + acq["exposure"]) + grid * _F32(acq["heel"]))[None, None, :]
        _ramp(sub)
        if acq["gamma"] != 1.0:
            np.power(sub, _F32(acq["gamma"]), out=sub)
        sub += np.multiply(nz, _F32(acq["noise"] / 73.9), out=n1)  # uniform noise of this std
        if rows_ is None:
            np.clip(sub, 0.0, 1.0, out=out_images)
        else:
            out_images[rows_] = _ramp(sub)


def _describe(site_names, shares) -> str:
    site_lines = "\n".join(
        f"  {name}: {_SITE_NOTES[name]}\n     "
        + ", ".join(f"{k}={v:g}" for k, v in CHEST_XRAY_SITES[name].items())
        for name in CHEST_XRAY_SITES
    )
    used = ", ".join(f"{name} ({share:.0%})" for name, share in zip(site_names, shares))
    return textwrap.dedent(
        """\
        SYNTHETIC DATA: these are not radiographs of real people.
        =========================================================

        Synthetic chest X-rays (biaslab.datasets.make_chest_xrays)
        ----------------------------------------------------------
        Stylised frontal chest X-rays drawn from a documented parametric model, made for
        teaching (module 04, "Hidden in plain sight"). Only the cohort is real: each synthetic
        patient's sex, age and disease label are drawn from the joint distribution of the NIH
        ChestX-ray14 metadata (112,120 radiographs; datasets/nih_chestxray14/DATASHEET.md).
        Conclusions about real patients, hospitals or models must not be drawn from it.

        Generative process, per image
        1. Patient: a cell (sex x 5-year age bin x lung opacity) of the shipped NIH table is
           drawn with probability proportional to its number of radiographs; the age is uniform
           over the years of the bin. Disease = "lung opacity" (Pneumonia, Infiltration or
           Consolidation in the NIH labels), prevalence about 21%.
        2. Anatomy, shaped by sex and age (bright = dense, as on a radiograph): soft-tissue body,
           two dark lung fields with domed bases, mediastinum and spine, heart, hila, ribs,
           clavicles. Age: children are smaller in the frame, with a relatively larger heart,
           flatter ribs and less mineralised bone; from the mid-thirties bone density falls
           (faster in women), the aortic knob grows, the mediastinum widens, the lungs darken and lengthen
           (hyperinflation) and the lung texture coarsens. Sex (from puberty on): men have a
           wider thorax, longer lungs and denser soft tissue; women have breast shadows over
           the lower lateral lung fields. Every parameter also varies between individuals.
        3. Disease: 1-3 soft, anisotropic Gaussian opacities inside the lung fields (lower zones
           more often), with a contrast drawn per patient so that many are subtle; they compete
           with the smooth random lung texture, so detection is learnable but not trivial
           (a small CNN reaches an AUROC of roughly 0.8-0.9). ``lesion_mask`` marks where the
           opacity adds at least 30% of its peak.
        4. Acquisition by the hospital site: blur (k passes of a [1, 2, 1]/4 filter, a near
           Gaussian of sigma sqrt(k/2) pixels, k = round(2 blur^2), at least 1), exposure and contrast, gamma, a left-right exposure
           gradient (heel effect), uniform pixel noise of the given standard deviation,
           clipping to [0, 1]. Built-in sites (blur in pixels at 64x64, scaled with image_size):
        {site_lines}
           Every site sees the same cohort distribution; only the acquisition differs.

        This call: sites {used}.

        Returned Bunch
        - images: float32 (n, image_size, image_size) in [0, 1]
        - data: the images flattened to (n, image_size**2), sharing memory with ``images``
        - target: disease (int 0/1); target_name "disease"
        - sensitive_features: DataFrame with ``sex`` ("F"/"M") and ``age_band`` (ordered
          categorical 0-20, 20-40, 40-60, 60-80, 80+)
        - frame: DataFrame with patient_id (0..n-1 in this call: one radiograph per synthetic
          patient), sex, age (years), age_band, site, disease
        - feature_names: "pixel_<row>_<col>" for the columns of ``data``
        - lesion_mask: bool (n, image_size, image_size), all False for the healthy
        - lesion_contrast: float32 (n,), the patient's opacity contrast before acquisition (each
          opacity's peak is 70-100% of it; 0 if healthy): small values are the subtle cases

        Deterministic: the same arguments and random_state give bitwise identical arrays (on the
        same platform and numpy version), whatever the number of threads.
        """
    ).format(site_lines=textwrap.indent(site_lines, "   "), used=used)


def make_chest_xrays(n_samples, *, image_size=64, sites=("A",), random_state=None) -> Bunch:
    """Generate SYNTHETIC chest X-rays with a real-world cohort of sex, age and disease.

    The patients' sex, age and disease (lung opacity) follow the NIH ChestX-ray14 metadata;
    the images come from a documented parametric model in which sex, age and disease are all
    visible, and a hospital site sets the acquisition (see ``DESCR``).

    Parameters
    ----------
    n_samples : int
        Number of images (one per synthetic patient), at least 1.
    image_size : int, default=64
        Side of the square images in pixels, at least 32.
    sites : str, sequence of str or mapping of str to float, default=("A",)
        Hospital sites acquiring the images, from the built-in ``"A"`` (reference),
        ``"B"`` and ``"C"`` (external: different exposure, contrast, gamma, blur and noise).
        A sequence splits the images equally; a mapping gives each site's share (normalised
        to sum to 1). Counts are exact (largest remainder); which patient goes to which site
        is random. Generate an external test set with e.g. ``sites="B"``.
    random_state : None, int or numpy.random.Generator, default=None
        Seed; the same seed gives bitwise identical arrays.

    Returns
    -------
    Bunch
        ``images`` (float32, (n, size, size), in [0, 1]), ``data`` (flattened images),
        ``target`` (disease 0/1), ``sensitive_features`` (``sex``, ``age_band``), ``frame``
        (patient_id, sex, age, age_band, site, disease), ``feature_names``, ``target_name``,
        ``lesion_mask``, ``lesion_contrast``, ``DESCR`` (the generative process).

    Examples
    --------
    >>> from biaslab.datasets import make_chest_xrays
    >>> xr = make_chest_xrays(100, random_state=0)
    >>> xr.images.shape, xr.images.dtype.name
    ((100, 64, 64), 'float32')
    >>> sorted(xr.sensitive_features.columns)
    ['age_band', 'sex']
    >>> xr.DESCR.startswith("SYNTHETIC DATA")
    True
    """
    n = check_positive_int(n_samples, "n_samples")
    size = _check_image_size(image_size)
    site_names, shares = _check_sites(sites)
    rng = check_random_state(random_state)

    cohort = _sample_cohort(n, rng)
    site_idx = np.repeat(np.arange(len(site_names)), _exact_counts(n, shares))
    rng.shuffle(site_idx)
    params = _draw_params(cohort, rng)
    lesions = _draw_lesions(cohort["disease"], rng)

    images = np.empty((n, size, size), dtype=_F32)
    lesion_mask = np.empty((n, size, size), dtype=bool)
    # Batches keep the temporaries in cache. Each batch has its own child generator and output
    # slice, so the result depends only on the seed, not on the threads or their timing.
    batch = max(1, _BATCH_PIXELS // (size * size))
    starts = range(0, n, batch)
    children = rng.spawn(len(starts))

    local = threading.local()

    def render(task):
        start, child = task
        sl = slice(start, min(start + batch, n))
        idx = site_idx[sl]
        present = np.unique(idx)
        if present.size == 1:
            site_rows = [(site_names[present[0]], None)]
        else:
            site_rows = [(site_names[i], np.flatnonzero(idx == i)) for i in present]
        p = {k: v[sl] for k, v in params.items()}
        le = {k: v[sl] for k, v in lesions.items()}
        ws = getattr(local, "ws", None)
        if ws is None:
            ws = local.ws = _Workspace(batch, size)
        _render(p, le, site_rows, size, child, ws, images[sl], lesion_mask[sl])

    workers = min(_MAX_THREADS, os.cpu_count() or 1, len(starts))
    # numpy releases the GIL in its loops, so threads share the work; BLAS (used for the small
    # texture upsampling) is kept single-threaded to not compete with them
    with threadpool_limits(limits=1, user_api="blas"):
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(render, zip(starts, children)))
        else:
            for task in zip(starts, children):
                render(task)

    sex = pd.Categorical(np.where(cohort["male"] > 0, "M", "F"), categories=["F", "M"])
    age = cohort["age"].astype(np.int64)
    band = pd.Categorical.from_codes(
        np.searchsorted(_AGE_EDGES, age, side="right") - 1,
        categories=list(AGE_BANDS),
        ordered=True,
    )
    disease = cohort["disease"].astype(np.int64)
    frame = pd.DataFrame(
        {
            "patient_id": np.arange(n, dtype=np.int64),
            "sex": sex,
            "age": age,
            "age_band": band,
            "site": pd.Categorical(np.asarray(site_names, dtype=object)[site_idx], categories=site_names),
            "disease": disease,
        }
    )
    feature_names = [f"pixel_{r}_{c}" for r in range(size) for c in range(size)]
    return Bunch(
        images=images,
        data=images.reshape(n, size * size),
        target=disease,
        target_name="disease",
        sensitive_features=frame[["sex", "age_band"]].copy(),
        frame=frame,
        feature_names=feature_names,
        lesion_mask=lesion_mask,
        lesion_contrast=lesions["contrast"],
        DESCR=_describe(site_names, shares),
    )
