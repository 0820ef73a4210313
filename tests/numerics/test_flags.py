"""The four exception flags of WP p9, counted."""

from __future__ import annotations

import numpy as np
import torch

from dojosim import numerics


def test_conversion_flags_cfp8() -> None:
    b = numerics.CFP8_143.bind(7)  # max 480, min normal 2^-6, min denormal 2^-9
    x = np.array(
        [
            np.nan,  # invalid
            np.inf,  # overflow (clamped, WP p8)
            -1e6,  # overflow
            490.0,  # below max + half step (496): rounds to 480, no overflow
            496.0,  # the tie rounds up past max: overflow
            2.0**-8,  # exact denormal: denormal result, no underflow
            2.0**-8 * 1.1,  # inexact tiny: underflow, denormal result
            2.0**-12,  # flushes to zero: underflow
            1.0,
            0.0,
        ],
        dtype=np.float32,
    )
    flags = numerics.Flags()
    q = numerics.quantize(x, "cfp8_143", 7, flags=flags)
    assert q[0] == b.max_value and q[1] == b.max_value and q[2] == -b.max_value
    assert flags.as_dict() == {"invalid": 1, "denormal": 2, "overflow": 3, "underflow": 2}
    # Flags accumulate like sticky status flags, and count the same for torch tensors.
    numerics.quantize(torch.from_numpy(x), "cfp8_143", 7, flags=flags)
    assert flags.as_dict() == {"invalid": 2, "denormal": 4, "overflow": 6, "underflow": 4}


def test_unsigned_negative_is_invalid() -> None:
    flags = numerics.Flags()
    q = numerics.quantize([-1.0, -0.0, 2.0, -np.inf], "cfp16_uhp", flags=flags)
    assert q.tolist() == [0.0, 0.0, 2.0, 0.0]
    assert flags.invalid == 2


def test_decode_counts_denormal_and_nan_operands() -> None:
    flags = numerics.Flags()
    numerics.decode(np.array([0x00, 0x01, 0x07, 0x08, 0x81], np.uint8), "cfp8_143", 7, flags=flags)
    assert flags.denormal == 3 and flags.invalid == 0
    numerics.decode(np.array([0x7F, 0xFF], np.uint8), "fp8_e4m3", flags=flags)
    assert flags.invalid == 2


def test_no_flags_no_cost() -> None:
    flags = numerics.Flags()
    numerics.quantize(np.float32([1.0, 2.0, 0.5]), "cfp8_143", 7, flags=flags)
    assert not flags
