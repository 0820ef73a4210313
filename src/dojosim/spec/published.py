"""The best utilisation published for a chip: what an estimate's MFU is compared with.

Over the catalog's calibration and check runs of transformer models on a chip, the
measured model-FLOP utilisation (MFU, dense peak of the run's precision): taken as
published where the run's metric is MFU or model TFLOP/s per chip, computed from the
model's FLOPs where it is a step time or tokens per second.
"""

from __future__ import annotations

from dojosim import catalog
from dojosim.errors import DojosimError

_found: dict[str, tuple[float, str] | None] = {}
_busy: set[str] = set()


def best_mfu(chip: str) -> tuple[float, str] | None:
    """(MFU, run name) of the best published transformer run on ``chip``, or None (cached).

    Resolving the runs resolves scenarios, which ask for this again: those inner asks get
    None and are not cached.
    """
    if chip in _found:
        return _found[chip]
    if chip in _busy:
        return None
    _busy.add(chip)
    try:
        _found[chip] = _best(chip)
    finally:
        _busy.discard(chip)
    return _found[chip]


def _best(chip: str) -> tuple[float, str] | None:
    from dojosim.spec.resolve import _entry
    from dojosim.spec.workload import ModelSpec
    from dojosim.workload.transformer import model_flops_per_token

    best: tuple[float, str] | None = None
    for name in catalog.names("run"):
        run = catalog.get("run", name)
        sc = run.scenario
        if run.role == "claim" or not isinstance(sc.get("system"), str):
            continue
        try:
            system = catalog.get("system", sc["system"])
            if system.chip != chip or sc["model"] in catalog.names("network"):
                continue
            model: ModelSpec = _entry("model", sc["model"], ModelSpec, None, "model")
        except (DojosimError, KeyError, TypeError):
            continue
        if model.experts > 1:
            continue
        seq = int(sc.get("seq_len") or model.seq_len)
        peak = catalog.get("chip", chip).peak(sc.get("precision", "bf16"))
        per_token = 3 * model_flops_per_token(model, seq)
        tokens = sc["parallelism"]["global_batch"] * seq
        if run.metric == "mfu":
            mfu = run.measured
        elif run.metric == "model_tflops_per_chip":
            mfu = run.measured * 1e12 / peak
        elif run.metric == "step_time_s":
            mfu = tokens * per_token / (run.measured * peak * sc["chips"])
        elif run.metric == "tokens_per_s":
            mfu = run.measured * per_token / (peak * sc["chips"])
        else:
            continue
        if best is None or mfu > best[0]:
            best = (mfu, name)
    return best


__all__ = ["best_mfu"]
