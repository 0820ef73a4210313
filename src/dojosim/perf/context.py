"""Everything the step of a scenario needs that does not depend on the layout, built once.

A :class:`Context` holds the compute model, the network fabric, the precision, the framework
and caches of unit costs and collective times shared by every candidate layout of one scenario.
Its :meth:`Context.stages` turns a layout into the units each pipeline stage runs, the same way
for a transformer (embedding, blocks, head) and for a network given as layers (cut into stages
of about equal time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from dojosim.hardware.collectives import Collective, Fabric, collective_time, fabric
from dojosim.mapping.frameworks import Framework, expert_strides, framework
from dojosim.mapping.layout import Layout, Shape
from dojosim.mapping.policy import Precision, precision_of
from dojosim.perf.compute import EIGHT_BIT, ComputeModel
from dojosim.perf.network_units import OpTable, network_layers, prefix_sums, stage_rows
from dojosim.perf.parallel_comm import Groups
from dojosim.perf.units import UnitCost, block, embedding, head, mtp
from dojosim.spec.calibration import Calibration
from dojosim.spec.hardware import Hierarchy
from dojosim.spec.scenario import NetworkScenario, Scenario
from dojosim.workload.graph import Workload
from dojosim.workload.transformer import LayerShape

Stage = list[tuple[UnitCost, int]]


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
    expert_params: float = 0.0  # of ``params``, the routed experts'

    @classmethod
    def of(cls, stage: Stage) -> StageSum:
        """The stage's units added up. The busiest expert-parallel rank of one MoE layer is
        seldom the busiest of the next: each layer routes to its own experts, so the excess
        a rank keeps over the mean load (``UnitCost.hot_activations``, ``c`` times the mean
        on the busiest of the ranks) adds up over the stage's ``L`` MoE layers as independent
        loads do, to the busiest rank's ``c / sqrt(L)`` (expected maximum of sums of ``L``
        draws). A hot expert is taken to stay hot across micro-batches, so the micro-batches
        in flight do not average it further."""
        units = [(u, n) for u, n in stage if n]

        def add(attr: str) -> float:
            return sum(getattr(u, attr) * n for u, n in units)

        hot_layers = sum(n for u, n in units if u.hot_activations)
        hot = add("hot_activations")
        spread = hot - hot / math.sqrt(hot_layers) if hot_layers else 0.0
        return cls(
            add("forward"),
            add("backward"),
            add("recompute"),
            add("comm_forward"),
            add("comm_backward"),
            add("comm_recompute"),
            add("params"),
            add("activations") - spread,
            max((u.work for u, _ in units), default=0.0),
            max((u.params for u, _ in units), default=0.0),
            max((u.largest_matrix for u, _ in units), default=0.0),
            stage[-1][0].output if stage else 0.0,
            add("expert_params"),
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

    def layer_shape(self, lay: Layout, moe: bool = False, local: bool = False) -> LayerShape:
        """The per-chip shape of a block of ``lay`` (``moe``: MoE; ``local``: a windowed layer)."""
        from dojosim.mapping.eager import eager_paths
        from dojosim.spec.routing import rank_imbalance

        sc = self.sc
        assert isinstance(sc, Scenario)
        p = self.precision
        cast = 1.0 if p.quant else 0.0  # an 8-bit copy of each 8-bit matmul's input
        s, cp = sc.model.seq_len, lay.context
        imbalance = rank_imbalance(sc.routing, sc.model.experts, lay.expert) if moe else 1.0
        fused = moe and sc.routing is not None and sc.routing.fused_grouped_mlp
        return LayerShape(
            lay.micro_batch,
            s // cp,
            lay.tensor,
            lay.sequence_parallel,
            sc.flash_attention,
            p.activation,
            cast,
            p.quant,
            keys=s if cp > 1 else 0,
            moe=moe,
            ep=lay.expert if moe else 1,
            etp=lay.expert_tensor if moe else 1,
            imbalance=imbalance,
            modules=lay.selective_modules,
            local=local,
            fused_mlp=fused,
            eager=eager_paths(self.fw, sc.model, moe, fused),
            te_loss=sc.cross_entropy == "te",
        )

    def groups(self, lay: Layout) -> Groups:
        """Where the context- and expert-parallel groups sit in the rank order."""
        from dojosim.spec.routing import dispatch_shares

        eight = self.precision.matmul in EIGHT_BIT
        stride, _ = expert_strides(self.fw, lay.tensor, lay.context, lay.expert, lay.expert_tensor)
        shares, share = None, 1.0
        routing = self.sc.routing
        overlap = lay.schedule == "dualpipe" or lay.overlap_expert_parallel
        cores = self.sc.chip.cores
        if overlap and routing is not None and routing.dispatcher_sms and cores:
            share = max(cores - routing.dispatcher_sms, 1) / cores
        hidden = self.calibration.combined_1f1b_hidden_share if lay.overlap_expert_parallel else 1.0
        if isinstance(self.sc, Scenario) and lay.expert > 1:
            model = self.sc.model
            per_node = min(max(self.sc.system.node_chips // stride, 1), lay.expert)
            nodes = lay.expert // per_node
            shares = dispatch_shares(
                self.sc.routing, model.top_k, model.node_limit, nodes, per_node
            )
        return Groups(
            context_stride=lay.tensor,
            context_exposed=self.sc.parallelism.context_comm == "all_gather",
            expert_stride=stride,
            overlap_a2a=overlap,
            dispatch_bytes=1.0 if eight else self.precision.activation,
            shares=shares,
            compute_share=share,
            hidden_share=hidden,
            tensor_overlap=self.fw.overlap(lay.overlap_tensor_parallel),
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
        whole = (
            "sums", sh, lay.recompute, lay.recompute_layers, lay.stage_layers, lay.expert,
            lay.expert_tensor, lay.schedule,
        )  # fmt: skip
        found = self.units.get(whole)
        if found is not None:
            return found
        p = lay.pipeline
        out = []
        stages: list[Stage] | None = None
        first = 0
        for i, n in enumerate(lay.stage_layers):
            key = (
                "sum", sh, lay.recompute, n, lay.recomputed(i), i == 0, i == p - 1, p > 1,
                self._kinds(first, n), lay.expert, lay.expert_tensor, lay.schedule,
            )  # fmt: skip
            first += n
            hit = self.units.get(key)
            if hit is None:
                if stages is None:
                    stages = self.stages(lay)
                hit = self.units[key] = StageSum.of(stages[i])
            out.append(hit)
        self.units[whole] = out
        return out

    def _kinds(self, first: int, n: int) -> tuple[tuple[bool, bool], ...] | None:
        """Layers ``first .. first + n`` as (mixture of experts, local-window attention) each
        (None: every layer a dense one attending over the whole sequence)."""
        m = self.sc.model if isinstance(self.sc, Scenario) else None
        if m is None or not (m.is_moe or m.local_attention):
            return None
        return tuple((m.is_moe_layer(i), not m.is_global_layer(i)) for i in range(first, first + n))

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
        m, cm, g = sc.model, self.cm, self.groups(lay)
        others = "none" if lay.recompute == "full" else lay.recompute
        kinds = self._kinds(0, m.layers)  # (MoE, local) per layer, once (None: all alike)
        built: dict[tuple[bool, bool, bool], UnitCost] = {}

        def unit(moe: bool, local: bool, full: bool) -> UnitCost:  # built once, if ever held
            if (moe, local, full) not in built:
                sh, rc = self.layer_shape(lay, moe, local), "full" if full else others
                built[moe, local, full] = self._cached(
                    (sh, g, rc), fab, lambda f: block(m, sh, rc, cm, f, g)
                )
            return built[moe, local, full]

        sh = self.layer_shape(lay)
        emb = self._cached((sh, "embedding"), fab, lambda f: embedding(m, sh, cm, f))
        p = lay.pipeline
        copy = p > 1 or not m.tied_embeddings
        top = self._cached((sh, "head", copy), fab, lambda f: head(m, sh, cm, f, copy))
        out: list[Stage] = []
        start = 0
        for i, n in enumerate(lay.stage_layers):
            k = lay.recomputed(i)  # the stage's first k layers are recomputed in full
            count: dict[tuple[bool, bool, bool], int] = {}
            if kinds is None:
                full = min(k, n)
                count = {(False, False, True): full, (False, False, False): n - full}
            else:
                for j in range(n):
                    moe, local = kinds[start + j]
                    count[moe, local, j < k] = count.get((moe, local, j < k), 0) + 1
            stage: Stage = [(unit(*key), c) for key, c in count.items() if c]
            if i == 0:
                stage.insert(0, (emb, 1))
            if i == p - 1:
                stage.append((top, 1))
                if m.mtp_depth:  # rerun with the stage's layers under full recomputation
                    rerun = lay.recompute == "full" and k >= n
                    last = unit(*(kinds[-1] if kinds else (False, False)), rerun)
                    stage.append((self._mtp(lay, sh, fab, last, emb, rerun), m.mtp_depth))
            out.append(stage)
            start += n
        return out

    def _mtp(self, lay: Layout, sh: LayerShape, fab: Fabric | None, layer: UnitCost,
             emb: UnitCost, full: bool) -> UnitCost:  # fmt: skip
        """One MTP depth on the last stage around ``layer`` (a block of the last layer's kind)
        and ``emb`` (the first stage's embedding unit; :func:`dojosim.perf.units.mtp`)."""
        # own embedding copy unless DualPipe puts stage 0 on its rank (arXiv 2412.19437, 3.2.1)
        m, copy = self.sc.model, lay.pipeline > 1 and lay.schedule != "dualpipe"  # type: ignore[union-attr]
        top = self._cached((sh, "head", False), fab, lambda f: head(m, sh, self.cm, f, False))
        return self._cached(
            ("mtp", sh, layer, top, copy, full),
            fab,
            lambda f: mtp(m, sh, layer, top, emb, self.cm, f, embedding_copy=copy, full=full),
        )

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
            hit = self.units[key] = prefix_sums([u for u, _ in costs])
        return hit

    def _network_sums(self, lay: Layout) -> list[StageSum]:
        return [StageSum(*row) for row in stage_rows(self._prefix(lay), lay.stage_layers)]

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
    recipe = getattr(sc, "fp8_recipe", "delayed")  # transformer scenarios only
    prec = precision_of(
        sc.precision, sc.grad_reduce, sc.fp8_params, sc.optimizer_moments, recipe, sc.chip.fp8_arch
    )
    fw = framework(sc.framework)
    kernel = getattr(sc, "attention_kernel", "auto")  # a network scenario has no attention
    fp8_attention = getattr(sc, "fp8_attention", False)  # transformer scenarios only
    # Transformer Engine's fused grouped MLP runs each grouped GEMM (both expert GEMMs, forward
    # and backward) as one cuDNN-frontend or cuBLASLt grouped kernel, not one GEMM per expert
    routing = getattr(sc, "routing", None)  # transformer scenarios only
    fused = routing is not None and routing.fused_grouped_mlp
    per_group = fw.per_expert_gemm and not fused
    cm = ComputeModel.of(sc.chip, prec, cal, per_group, kernel, fp8_attention)
    fab = fabric(sc.system, sc.chips, cal.network_efficiency_scale, sc.collectives, sc.slices)
    if isinstance(sc, NetworkScenario):
        shape = Shape(len(sc.workload.layers), 0, 0, 0, 0)  # no heads: tensor splits maps
        return Context(sc, cm, fab, prec, fw, cal, sc.hierarchy, shape, sc.workload)
    m = sc.model
    shape = Shape.of(m, not m.is_moe and m.attention != "mla" and sc.flash_attention)
    return Context(sc, cm, fab, prec, fw, cal, sc.hierarchy, shape, None)


__all__ = ["Context", "Stage", "StageSum", "context"]
