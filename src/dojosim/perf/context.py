"""Everything the step of a scenario needs that does not depend on the layout, built once.

A :class:`Context` holds the compute model, the network fabric, the precision,
the framework and caches of unit costs and collective times shared by every
candidate layout of one scenario. Its :meth:`Context.stages` turns a layout into
the units each pipeline stage runs, the same way for a transformer (embedding,
blocks, head) and for a network given as layers (cut into stages of about equal
time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dojosim.hardware.collectives import Collective, Fabric, collective_time, fabric
from dojosim.mapping.frameworks import Framework, framework
from dojosim.mapping.layout import Layout, Shape
from dojosim.mapping.policy import PRECISIONS, Precision
from dojosim.perf.compute import EIGHT_BIT, ComputeModel
from dojosim.perf.units import OpTable, UnitCost, block, embedding, head, network_layers
from dojosim.spec.calibration import Calibration
from dojosim.spec.hardware import Hierarchy
from dojosim.spec.scenario import NetworkScenario, Scenario
from dojosim.workload.graph import Workload
from dojosim.workload.transformer import LayerShape

Stage = list[tuple[UnitCost, int]]

# UnitCost fields in the column order of a network's prefix sums (see Context._prefix).
_FIELDS = (
    "forward",
    "backward",
    "recompute",
    "comm_forward",
    "comm_backward",
    "comm_recompute",
    "params",
    "activations",
    "work",
    "largest_matrix",
)


@dataclass(frozen=True, slots=True)
class StageSum:
    """A pipeline stage's units added up: seconds per micro-batch, parameters and bytes."""

    forward: float
    backward: float
    recompute: float
    comm_forward: float
    comm_backward: float
    comm_recompute: float
    params: float
    activations: float  # bytes per micro-batch
    work: float  # the largest working buffer
    largest_params: float  # the largest unit (what ZeRO-3 gathers at once)
    largest_matrix: float  # the largest weight matrix (what off-chip streaming buffers)
    output: float  # bytes the stage sends to the next

    @classmethod
    def of(cls, stage: Stage) -> StageSum:
        units = [(u, n) for u, n in stage if n]

        def add(attr: str) -> float:
            return sum(getattr(u, attr) * n for u, n in units)

        return cls(
            add("forward"),
            add("backward"),
            add("recompute"),
            add("comm_forward"),
            add("comm_backward"),
            add("comm_recompute"),
            add("params"),
            add("activations"),
            max((u.work for u, _ in units), default=0.0),
            max((u.params for u, _ in units), default=0.0),
            max((u.largest_matrix for u, _ in units), default=0.0),
            stage[-1][0].output if stage else 0.0,
        )


@dataclass
class Context:
    """A scenario prepared for estimating many layouts (mutable only in its caches)."""

    sc: Scenario | NetworkScenario
    cm: ComputeModel
    fab: Fabric
    precision: Precision
    fw: Framework
    calibration: Calibration
    hier: Hierarchy | None
    shape: Shape
    workload: Workload | None  # a network's layers; None for a transformer
    units: dict[Any, Any] = field(default_factory=dict)
    collectives: dict[Any, float] = field(default_factory=dict)

    @property
    def is_network(self) -> bool:
        return self.workload is not None

    @property
    def embedding_params(self) -> float:
        """The token embedding's parameters (a transformer's; 0 for a network)."""
        if not isinstance(self.sc, Scenario):
            return 0.0
        return float(self.sc.model.vocab * self.sc.model.hidden)

    def collective(
        self, kind: Collective, nbytes: float, size: int, stride: int, calls: int = 1
    ) -> float:
        """Seconds of a collective on the fabric (in ``calls`` collectives), cached per scenario."""
        key = (kind, nbytes, size, stride, calls)
        t = self.collectives.get(key)
        if t is None:
            t = collective_time(self.fab, kind, nbytes, size, stride, calls)
            self.collectives[key] = t
        return t

    def layer_shape(self, lay: Layout) -> LayerShape:
        sc = self.sc
        assert isinstance(sc, Scenario)
        p = self.precision
        cast = 1.0 if p.matmul in EIGHT_BIT else 0.0
        return LayerShape(
            lay.micro_batch,
            sc.model.seq_len,
            lay.tensor,
            lay.sequence_parallel,
            sc.flash_attention,
            p.activation,
            cast,
        )

    def stages(self, lay: Layout, fab: Fabric | None = None) -> list[Stage]:
        """The units of each pipeline stage of ``lay``, for one micro-batch on one chip.

        ``fab`` (a recording fabric) bypasses the caches.
        """
        if self.workload is not None:
            return self._network_stages(lay, fab)
        return self._transformer_stages(lay, fab)

    def sums(self, lay: Layout, fab: Fabric | None = None) -> list[StageSum]:
        """Each stage of ``lay`` added up (cached per distinct stage of a transformer)."""
        if fab is not None:
            return [StageSum.of(stage) for stage in self.stages(lay, fab)]
        if self.workload is not None:
            net_key = ("netsum", lay.micro_batch, lay.tensor, lay.recompute, lay.stage_layers)
            hit = self.units.get(net_key)
            if hit is None:
                hit = self.units[net_key] = self._network_sums(lay)
            return hit
        sh = self.layer_shape(lay)
        whole = ("sums", sh, lay.recompute, lay.recompute_layers, lay.stage_layers)
        found = self.units.get(whole)
        if found is not None:
            return found
        p = lay.pipeline
        out = []
        stages: list[Stage] | None = None
        for i, n in enumerate(lay.stage_layers):
            key = ("sum", sh, lay.recompute, n, lay.recomputed(i), i == 0, i == p - 1, p > 1)
            hit = self.units.get(key)
            if hit is None:
                if stages is None:
                    stages = self.stages(lay)
                hit = self.units[key] = StageSum.of(stages[i])
            out.append(hit)
        self.units[whole] = out
        return out

    def _cached(self, key: Any, fab: Fabric | None, build: Any) -> Any:
        if fab is not None:
            return build(fab)
        hit = self.units.get(key)
        if hit is None:
            hit = self.units[key] = build(self.fab)
        return hit

    def _transformer_stages(self, lay: Layout, fab: Fabric | None) -> list[Stage]:
        sc = self.sc
        assert isinstance(sc, Scenario)
        m, sh, cm = sc.model, self.layer_shape(lay), self.cm
        others = "none" if lay.recompute == "full" else lay.recompute
        full = self._cached((sh, "full"), fab, lambda f: block(m, sh, "full", cm, f))
        rest = self._cached((sh, others), fab, lambda f: block(m, sh, others, cm, f))
        emb = self._cached((sh, "embedding"), fab, lambda f: embedding(m, sh, cm, f))
        p = lay.pipeline
        copy = p > 1 or not m.tied_embeddings
        top = self._cached((sh, "head", copy), fab, lambda f: head(m, sh, cm, f, copy))
        out: list[Stage] = []
        for i, n in enumerate(lay.stage_layers):
            k = lay.recomputed(i)
            stage: Stage = [(full, k), (rest, n - k)]
            if i == 0:
                stage.insert(0, (emb, 1))
            if i == p - 1:
                stage.append((top, 1))
            out.append(stage)
        return out

    def _network_stages(self, lay: Layout, fab: Fabric | None) -> list[Stage]:
        w = self.workload
        assert w is not None
        key = (lay.micro_batch, lay.tensor, lay.recompute)
        e = self.precision.activation
        table = self.units.get("table")
        if table is None:
            table = self.units["table"] = OpTable.of(w)
        costs: list[UnitCost] = self._cached(
            ("net", *key),
            fab,
            lambda f: network_layers(
                w, lay.micro_batch, lay.tensor, lay.recompute, self.cm, f, e, table
            ),
        )
        out: list[Stage] = []
        start = 0
        for n in lay.stage_layers:
            out.append([(c, 1) for c in costs[start : start + n]])
            start += n
        return out

    def _prefix(self, lay: Layout) -> Any:
        """Cumulative sums (and the per-layer columns) of a network's layer costs."""
        key = ("prefix", lay.micro_batch, lay.tensor, lay.recompute)
        hit = self.units.get(key)
        if hit is None:
            import numpy as np

            costs = self._network_stages(
                lay.__class__(
                    lay.tensor,
                    1,
                    1,
                    lay.micro_batch,
                    lay.micro_batch,
                    1,
                    False,
                    lay.recompute,
                    0,
                    (self.shape.layers,),
                ),
                None,
            )[0]
            cols = np.array([[getattr(u, f) for f in _FIELDS] for u, _ in costs])
            cum = np.vstack([np.zeros(len(_FIELDS)), np.cumsum(cols, axis=0)])
            hit = self.units[key] = (cols, cum, [u.output for u, _ in costs])
        return hit

    def _network_sums(self, lay: Layout) -> list[StageSum]:
        cols, cum, outputs = self._prefix(lay)
        out, start = [], 0
        for n in lay.stage_layers:
            end = start + n
            total = cum[end] - cum[start]
            block = cols[start:end]
            f, b, r, cf, cb, cr, params, acts = (float(x) for x in total[:8])
            out.append(
                StageSum(
                    f,
                    b,
                    r,
                    cf,
                    cb,
                    cr,
                    params,
                    acts,
                    float(block[:, 8].max()),
                    float(block[:, 6].max()),
                    float(block[:, 9].max()),
                    outputs[end - 1],
                )
            )
            start = end
        return out

    def network_compute(self, lay: Layout) -> float:
        """A network's forward+backward compute seconds per micro-batch, all layers."""
        _, cum, _ = self._prefix(lay)
        return float(cum[-1][0] + cum[-1][1])

    def layer_times(self, lay: Layout) -> list[float]:
        """Per-layer forward+backward seconds (networks: what stages are balanced on)."""
        w = self.workload
        assert w is not None
        e = self.precision.activation
        costs = self._cached(
            ("net", lay.micro_batch, lay.tensor, "none"),
            None,
            lambda f: network_layers(w, lay.micro_batch, lay.tensor, "none", self.cm, f, e),
        )
        return [c.forward + c.backward for c in costs]


def context(sc: Scenario | NetworkScenario, calibration: Calibration | None = None) -> Context:
    """The layout-independent part of a scenario's estimate."""
    cal = calibration or sc.calibration
    prec = PRECISIONS[sc.precision]
    cm = ComputeModel.of(sc.chip, prec, cal)
    fab = fabric(sc.system, sc.chips, cal.network_efficiency_scale, sc.collectives)
    if isinstance(sc, NetworkScenario):
        w = sc.workload
        shape = Shape(len(w.layers), 0, 0, 0, 0)  # no heads: tensor splits feature maps
        return Context(sc, cm, fab, prec, framework(sc.framework), cal, sc.hierarchy, shape, w)
    m = sc.model
    shape = Shape(m.layers, m.heads, m.n_kv_heads, m.ffn, m.seq_len)
    return Context(sc, cm, fab, prec, framework(sc.framework), cal, sc.hierarchy, shape, None)


__all__ = ["Context", "Stage", "StageSum", "context"]
