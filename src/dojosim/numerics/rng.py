"""Counter-based random bits for stochastic rounding, identical in NumPy and torch.

The whitepaper asks that stochastic rounding be "consistent and reproducible when
the same seed is used in the RNG" (WP p7). A sequential generator would tie the
result to chunking, thread count and array library; a counter-based one does not:
the random word of element ``i`` (flat C-order index) is a pure function of
``(seed, i)``::

    word(i) = lowbias32((i * mul + add) mod 2^32)

where ``mul`` (odd) and ``add`` are 32-bit keys derived from the seed with
SplitMix64, and ``lowbias32`` is Chris Wellons' 32-bit integer hash (public
domain; xorshift-multiply, a bijection with low avalanche bias). Stochastic
rounding that discards ``n`` bits uses the top ``n`` bits of the word. Indices are
taken modulo 2^32, so arrays longer than 4 Gi elements repeat the stream.
"""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np

_M1 = 0x7FEB352D
_M2 = 0x846CA68B
_MASK64 = (1 << 64) - 1


def _splitmix64(state: int) -> tuple[int, int]:
    state = (state + 0x9E3779B97F4A7C15) & _MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return state, z ^ (z >> 31)


def seed_keys(seed: int | None) -> tuple[int, int]:
    """The two 32-bit keys ``(mul, add)`` of a seed; ``None`` draws a fresh seed."""
    if seed is None:
        seed = secrets.randbits(64)
    state, z = _splitmix64(int(seed) & _MASK64)
    _, z2 = _splitmix64(state ^ (int(seed) >> 64))
    return (z & 0xFFFFFFFF) | 1, z2 & 0xFFFFFFFF


def words_numpy(start: int, count: int, keys: tuple[int, int]) -> np.ndarray:
    """Random 32-bit words (uint32) of elements ``start .. start+count-1``."""
    stream = WordStream(keys, count)
    out = np.empty(count, dtype=np.uint32)
    stream.fill(start, out, np.empty_like(out))
    return out


class WordStream:
    """Fills chunks of the random stream in place (the NumPy fast path).

    ``i * mul`` for the chunk's local indices is computed once; each chunk then
    costs one add and the hash, all in place in uint32, which wraps modulo 2^32.
    """

    def __init__(self, keys: tuple[int, int], chunk: int):
        self.mul, self.add = keys
        self.base = np.arange(chunk, dtype=np.uint32)
        self.base *= np.uint32(self.mul)

    def fill(self, start: int, out: np.ndarray, tmp: np.ndarray) -> None:
        """Write the words of elements ``start .. start+len(out)-1`` into ``out`` (uint32)."""
        offset = np.uint32((start * self.mul + self.add) & 0xFFFFFFFF)
        np.add(self.base[: out.size], offset, out=out)
        np.right_shift(out, 16, out=tmp)
        out ^= tmp
        out *= np.uint32(_M1)
        np.right_shift(out, 15, out=tmp)
        out ^= tmp
        out *= np.uint32(_M2)
        np.right_shift(out, 16, out=tmp)
        out ^= tmp


def _signed32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def words_torch(count: int, keys: tuple[int, int], device: Any) -> Any:
    """The torch twin of :func:`words_numpy` for ``start = 0``, as int32 (same bits).

    torch lacks most uint32 kernels, so this works in int32: multiplication wraps
    modulo 2^32 like uint32, and logical right shifts are arithmetic shifts masked.
    """
    import torch

    mul, add = keys
    if count < 1 << 31:
        x = torch.arange(count, dtype=torch.int32, device=device)
    else:
        x = (torch.arange(count, dtype=torch.int64, device=device) & 0xFFFFFFFF).to(torch.int32)
    x.mul_(_signed32(mul)).add_(_signed32(add))
    t = torch.empty_like(x)
    for shift, factor in ((16, _M1), (15, _M2), (16, None)):
        torch.bitwise_right_shift(x, shift, out=t)
        t.bitwise_and_((1 << (32 - shift)) - 1)  # arithmetic shift made logical
        x.bitwise_xor_(t)
        if factor is not None:
            x.mul_(_signed32(factor))
    return x


def random_bits(shape: tuple[int, ...] | int, seed: int | None, nbits: int) -> np.ndarray:
    """The ``nbits`` (1..32) random bits per element that stochastic rounding uses.

    Exposed so tests and users can reproduce a rounding with another tool (e.g.
    gfloat's ``RoundMode.Stochastic`` with ``srbits`` = these bits).
    """
    if not 1 <= nbits <= 32:
        raise ValueError("nbits must be 1..32")
    size = int(np.prod(shape))
    w = words_numpy(0, size, seed_keys(seed))
    return (w >> np.uint32(32 - nbits)).astype(np.int64).reshape(shape)
