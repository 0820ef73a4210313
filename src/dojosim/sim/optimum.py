"""The checkpoint interval: Young/Daly's rules, and the exact optimum for exponential failures.

A job computes ``tau`` seconds, then pauses ``C`` seconds to checkpoint. Failures
arrive at rate ``1/M`` (exponential inter-arrival times, mean ``M``); after each
one the job is down ``R`` seconds (restart and restore; a failure while down
starts the recovery again) and redoes the work since its last checkpoint.

* **Young (1974)**, first order: ``tau = sqrt(2 C M)``.
* **Daly (2006)**, higher order: ``tau = sqrt(2 C M) [1 + sqrt(C / 2M) / 3 + (C / 2M) / 9] - C``
  for ``C < 2M``, else ``tau = M`` (J. T. Daly, "A higher order estimate of the optimum
  checkpoint interval for restart dumps", Future Generation Computer Systems 22 (2006) 303-312).
* **Exact** expectation for exponential failures (the cost function Daly 2006 expands;
  Aupy, Robert and Vivien give the same form):
  the expected wall time per ``tau`` of work is ``M e^{R/M} (e^{(tau + C)/M} - 1)``,
  so the effective training time ratio is

      ETTR(tau) = tau / (M e^{R/M} (e^{(tau + C)/M} - 1)),

  maximised where ``e^x (1 - x + C/M) = 1`` with ``x = (tau + C)/M``:
  ``tau* = M (1 + W0(-e^{-(1 + C/M)}))``, W0 the principal Lambert W branch.

All arguments and results in seconds; NumPy arrays broadcast.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

Float = NDArray[np.float64]


def young(save_s: ArrayLike, mtbf_s: ArrayLike) -> Float:
    """Young's first-order interval ``sqrt(2 C M)`` (s)."""
    return np.sqrt(2.0 * np.asarray(save_s, float) * np.asarray(mtbf_s, float))


def daly(save_s: ArrayLike, mtbf_s: ArrayLike) -> Float:
    """Daly's higher-order interval (s); ``M`` where ``C >= 2M``."""
    c = np.asarray(save_s, float)
    m = np.asarray(mtbf_s, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = c / (2.0 * m)
        tau = np.sqrt(2.0 * c * m) * (1.0 + np.sqrt(xi) / 3.0 + xi / 9.0) - c
    return np.where(c < 2.0 * m, tau, m)


def lambert_w0(z: ArrayLike) -> Float:
    """Principal branch of the Lambert W function on ``[-1/e, 0]`` (Halley's iteration)."""
    z = np.asarray(z, float)
    if np.any(z < -1.0 / math.e - 1e-15) or np.any(z > 0):
        raise ValueError("lambert_w0 is implemented on [-1/e, 0]")
    # Start from the branch-point series, good near -1/e, and from z near 0.
    p = np.sqrt(np.maximum(2.0 * (1.0 + math.e * z), 0.0))
    w = np.where(z < -0.25, -1.0 + p - p * p / 3.0 + 11.0 / 72.0 * p**3, z)
    for _ in range(30):
        ew = np.exp(w)
        f = w * ew - z
        denom = ew * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0 + 1e-300)
        step = np.where(np.abs(denom) > 0, f / np.where(denom == 0, 1.0, denom), 0.0)
        w = w - step
        if np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(w))):
            break
    return np.asarray(w, float)


def exact(save_s: ArrayLike, mtbf_s: ArrayLike) -> Float:
    """The interval (s) that maximises :func:`ettr` for exponential failures (any ``C/M``)."""
    c = np.asarray(save_s, float)
    m = np.asarray(mtbf_s, float)
    finite = np.isfinite(m)
    m_safe = np.where(finite, m, 1.0)
    tau = m_safe * (1.0 + lambert_w0(-np.exp(-(1.0 + c / m_safe))))
    return np.where(finite, tau, np.inf)


def ettr(tau_s: ArrayLike, save_s: ArrayLike, mtbf_s: ArrayLike, down_s: ArrayLike) -> Float:
    """Expected useful fraction of wall time for interval ``tau``, save ``C``, MTBF ``M``, down ``R``.

    ``tau / (M e^{R/M} (e^{(tau + C)/M} - 1))``; without failures (``M`` infinite),
    ``tau / (tau + C)``.
    """
    tau = np.asarray(tau_s, float)
    c = np.asarray(save_s, float)
    m = np.asarray(mtbf_s, float)
    r = np.asarray(down_s, float)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        m_safe = np.where(np.isfinite(m), m, 1.0)
        wall = m_safe * np.exp(r / m_safe) * np.expm1((tau + c) / m_safe)
        out = np.where(np.isfinite(m), tau / wall, tau / (tau + c))
    return np.asarray(np.nan_to_num(out, nan=0.0, posinf=0.0), float)
