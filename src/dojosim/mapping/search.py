"""Candidate layouts for a scenario: every ``auto`` knob expanded into the values worth trying.

Explicit knobs are kept as given (and checked later, with errors naming the
field); ``auto`` knobs range over values that can run:

* tensor: powers of two dividing the heads, inside one node (tensor parallelism
  outside the scale-up domain is never competitive); on a mesh of dies, any
  size that forms a rectangle inside the tile;
* pipeline: divisors of ``chips / tensor`` up to the layer count;
* micro_batch: powers of two dividing the per-replica batch, up to 16;
* interleave: 1 to 8 virtual stages that fit the fewest layers on a stage;
* recompute: none, selective, full;
* sequence_parallel: on whenever tensor > 1;
* zero: the lowest stage (1 with data parallelism, else 0) — higher stages only
  add communication, so they are tried only when nothing else fits.
"""

from __future__ import annotations

from itertools import product
from typing import Any, cast

from dojosim.errors import SpecError
from dojosim.mapping.layout import Layout, check, even_stage_layers
from dojosim.mapping.spatial import rectangle
from dojosim.spec.scenario import Scenario


def _divisors(n: int, limit: int | None = None) -> list[int]:
    return [k for k in range(1, (limit or n) + 1) if n % k == 0]


def _pow2_upto(n: int) -> list[int]:
    out, k = [], 1
    while k <= n:
        out.append(k)
        k *= 2
    return out


def candidates(sc: Scenario) -> list[Layout]:
    """Valid layouts for the scenario (one per combination of ``auto`` values).

    Explicit knobs contribute their one value; a scenario with no ``auto`` gives at
    most one layout, and none (an error naming the field) if it cannot run.
    """
    par = sc.parallelism
    model = sc.model
    chips = sc.chips
    tensors = _tensor_sizes(sc) if par.tensor == "auto" else [cast(int, par.tensor)]
    out: list[Layout] = []
    for t in tensors:
        rest = chips // t if chips % t == 0 else 0
        if par.pipeline == "auto":
            pipes = (
                [p for p in _divisors(rest, min(rest, model.layers)) if rest % p == 0]
                if rest
                else []
            )
        else:
            pipes = [cast(int, par.pipeline)]
        for p in pipes:
            if par.data in (None, "auto"):
                if rest == 0 or rest % p:
                    continue
                d = rest // p
            else:
                d = cast(int, par.data)
            if t * p * d != chips:
                continue
            per_replica = par.global_batch // d if par.global_batch % d == 0 else 0
            mbs = (
                [b for b in _pow2_upto(min(per_replica, 16)) if per_replica % b == 0]
                if par.micro_batch == "auto"
                else [cast(int, par.micro_batch)]
            )
            fewest = min(_stage_layers(sc, p), default=0) if p <= model.layers else 0
            vs = (
                [v for v in range(1, 9) if v <= fewest and (v == 1 or p > 1)]
                if par.interleave == "auto"
                else [cast(int, par.interleave)]
            )
            rcs: list[Any] = (
                ["none", "selective", "full"] if par.recompute == "auto" else [par.recompute]
            )
            sps: list[Any] = [t > 1] if par.sequence_parallel == "auto" else [par.sequence_parallel]
            zs: list[Any] = [1 if d > 1 else 0] if par.zero == "auto" else [par.zero]
            for b, v, rc, sp, z in product(mbs, vs, rcs, sps, zs):
                try:
                    lay = _layout(sc, t, p, d, b, v, sp, rc, z)
                    check(lay, model, chips)
                except SpecError:
                    continue
                out.append(lay)
    if par.zero == "auto":
        out += _higher_zero(sc, out)
    if not out:
        # Nothing valid: build the layout as written so that `check` reports the first problem.
        raise _explain(sc)
    return out


def _tensor_sizes(sc: Scenario) -> list[int]:
    """Tensor-parallel sizes worth trying: inside one node and dividing the heads.

    On a switched node (NVSwitch) powers of two; on a mesh of dies (a Dojo tile)
    any size that forms a rectangle of dies inside the tile, since a rectangle's
    rings use the tile's own links whatever its size.
    """
    node, chips, heads = sc.system.node_chips, sc.chips, sc.model.heads
    inner = sc.system.network[0]
    if inner.topology == "mesh" and inner.dims:
        dims = list(inner.dims)
        sizes = [t for t in range(1, min(node, chips) + 1) if rectangle(t, dims) is not None]
    else:
        sizes = _pow2_upto(min(node, chips))
    return [t for t in sizes if heads % t == 0 and chips % t == 0]


def _higher_zero(sc: Scenario, layouts: list[Layout]) -> list[Layout]:
    """ZeRO-2 and -3 variants, tried because lower stages may not fit in memory."""
    from dataclasses import replace

    return [replace(lay, zero=z) for lay in layouts if lay.data > 1 for z in (2, 3)]


def _stage_layers(sc: Scenario, p: int) -> tuple[int, ...]:
    given = sc.parallelism.stage_layers
    if given is not None:
        return tuple(given)
    return even_stage_layers(sc.model.layers, p)


def _layout(
    sc: Scenario, t: int, p: int, d: int, b: int, v: int, sp: bool, rc: str, z: int
) -> Layout:
    return Layout(
        tensor=t,
        pipeline=p,
        data=d,
        micro_batch=b,
        global_batch=sc.parallelism.global_batch,
        interleave=v,
        sequence_parallel=bool(sp) and t > 1,
        recompute=rc,
        zero=z,
        stage_layers=_stage_layers(sc, p) if p <= sc.model.layers else (0,) * p,
        overlap_data_parallel=sc.parallelism.overlap_data_parallel,
    )


def _explain(sc: Scenario) -> SpecError:
    """The error for a scenario with no valid layout, naming the first offending field."""
    par = sc.parallelism
    t = par.tensor if isinstance(par.tensor, int) else 1
    p = par.pipeline if isinstance(par.pipeline, int) else 1
    if isinstance(par.data, int):
        d = par.data
    else:
        d = sc.chips // (t * p) if sc.chips % (t * p) == 0 else 0
    if d == 0:
        return SpecError(
            f"chips ({sc.chips}) must be divisible by tensor x pipeline ({t} x {p} = {t * p})",
            file=sc.source_file,
            field="parallelism.pipeline" if par.pipeline != "auto" else "parallelism.tensor",
        )
    b = par.micro_batch if isinstance(par.micro_batch, int) else 1
    v = par.interleave if isinstance(par.interleave, int) else 1
    rc = par.recompute if par.recompute != "auto" else "selective"
    z = par.zero if isinstance(par.zero, int) else 0
    try:
        check(
            _layout(sc, t, p, d, b, v, par.sequence_parallel is True, rc, z),
            sc.model,
            sc.chips,
            sc.source_file,
        )
    except SpecError as exc:
        return exc
    return SpecError("no layout satisfies the auto knobs", file=sc.source_file, field="parallelism")
