"""Rounding NumPy arrays into a format: the kernels of :mod:`~dojosim.numerics.kernels`
run over cache-sized chunks on all cores.

Why chunks and threads: each kernel step is one NumPy ufunc pass. On a whole 16 M
element array every pass would stream 64 MB through memory; on a chunk that fits in
the core's L2 cache the ten passes cost little more than one. NumPy ufuncs release
the GIL, so a thread per core works on its own contiguous range of chunks. Results
do not depend on the chunking or the threads: rounding is elementwise and the
random bits of element ``i`` depend only on ``(seed, i)`` (:mod:`.rng`).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from dojosim.numerics import kernels
from dojosim.numerics.kernels import NumpyOps, Plan
from dojosim.numerics.rng import WordStream

#: Elements per chunk (1 MiB of float32 per buffer). Measured on a 2-core AMD EPYC
#: VM (benchmarks/bench_numerics.py): 64 Ki-element chunks are as fast on one
#: thread, but with two threads the larger chunk amortises the per-call Python
#: overhead (held under the GIL) and the chunk buffers still fit in L2 + L3.
CHUNK = 1 << 18
#: Below this size one thread is faster than handing work to the pool.
PARALLEL_MIN = 1 << 19

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def num_threads() -> int:
    """Threads used for large arrays: ``DOJOSIM_NUM_THREADS`` or the usable cores (max 16)."""
    env = os.environ.get("DOJOSIM_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 16))


def _get_pool(threads: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers < threads:
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dojosim-numerics")
        return _pool


def quantize_array(
    x: np.ndarray,
    plan: Plan,
    rounding: str,
    keys: tuple[int, int] | None,
    threads: int | None = None,
) -> np.ndarray:
    """Round a contiguous 1-D float32/float64 array; returns float32 values of the format.

    ``threads`` caps the threads (default :func:`num_threads`); results do not depend on it.
    """
    n = x.size
    out = np.empty(n, dtype=np.float32)
    if plan.identity:  # FP32 from float32: every input is already representable
        np.copyto(out, x)
        return out
    threads = min(threads or num_threads(), num_threads()) if n >= PARALLEL_MIN else 1
    if threads == 1:
        _run_range(x, out, 0, n, plan, rounding, keys)
        return out
    # Contiguous ranges, aligned to chunks, one per thread.
    chunks = -(-n // CHUNK)
    bounds = [min(n, (chunks * t // threads) * CHUNK) for t in range(threads + 1)]
    pool = _get_pool(threads)
    futures = [
        pool.submit(_run_range, x, out, bounds[t], bounds[t + 1], plan, rounding, keys)
        for t in range(threads)
        if bounds[t] < bounds[t + 1]
    ]
    for f in futures:
        f.result()
    return out


def _run_range(
    x: np.ndarray,
    out: np.ndarray,
    start: int,
    stop: int,
    plan: Plan,
    rounding: str,
    keys: tuple[int, int] | None,
) -> None:
    """Round ``x[start:stop]`` into ``out[start:stop]``, chunk by chunk."""
    # Widening a signalling NaN raises the FPU's invalid flag; NumPy would warn.
    with np.errstate(invalid="ignore"):
        _run_chunks(x, out, start, stop, plan, rounding, keys)


def _run_chunks(
    x: np.ndarray,
    out: np.ndarray,
    start: int,
    stop: int,
    plan: Plan,
    rounding: str,
    keys: tuple[int, int] | None,
) -> None:
    size = min(CHUNK, stop - start)
    if size <= 0:
        return
    int_t = plan.int_dtype
    # A float32 input rounded in float64 (BF16, FP32 targets) is widened chunk by chunk.
    widen = np.empty(size, dtype=np.float64) if plan.wide and x.dtype == np.float32 else None
    xbits: Any = x.view(int_t) if widen is None else None
    # Working output: the final float32 buffer itself, or a float64 scratch chunk.
    work = None if not plan.wide else np.empty(size, dtype=np.float64)
    tmp = np.empty(size, dtype=int_t)
    stochastic = rounding == "stochastic"
    if stochastic:
        assert keys is not None
        stream = WordStream(keys, size)
        words = np.empty(size, dtype=np.uint32)
        wtmp = np.empty(size, dtype=np.uint32)
        rnd64: np.ndarray | None = np.empty(size, dtype=np.int64) if plan.wide else None
    ops = NumpyOps
    for s in range(start, stop, size):
        e = min(s + size, stop)
        k = e - s
        if widen is None:
            b = xbits[s:e]
        else:
            widen[:k] = x[s:e]
            b = widen[:k].view(np.int64)
        o = out[s:e].view(np.int32) if work is None else work[:k].view(np.int64)
        t = tmp[:k]
        if not stochastic:
            kernels.round_nearest(ops, b, o, t, plan)
            kernels.finish(ops, b, o, t, plan)
        else:
            w = words[:k]
            stream.fill(s, w, wtmp[:k])
            rnd = _random_bits(w, plan, None if rnd64 is None else rnd64[:k])
            kernels.round_stochastic(ops, b, o, t, rnd, plan)
            kernels.finish(ops, b, o, t, plan, rnd)
        if work is not None:
            out[s:e] = work[:k]


def _random_bits(words: np.ndarray, plan: Plan, rnd64: np.ndarray | None) -> Any:
    """The ``n`` random bits of each element, as working-width signed ints."""
    if rnd64 is None:
        np.right_shift(words, np.uint32(32 - plan.n), out=words)
        return words.view(np.int32)
    rnd64[...] = words
    if plan.n <= 32:
        rnd64 >>= 32 - plan.n
    else:
        rnd64 <<= plan.n - 32
    return rnd64
