"""A network as layers of operations: the workload form the estimator consumes.

A :class:`Workload` is what :func:`dojosim.workload.from_torch` returns for any
``torch.nn.Module`` and what :func:`dojosim.workload.network` returns for a
catalog network. Each :class:`Layer` holds the ops one forward pass runs on one
chip (unsplit), written for one sample as ``fixed + per_sample * batch`` so the
batch size can be chosen later: activations scale with the batch, weights do not.

Units: FLOPs count a multiply-add as 2 FLOP; bytes are bytes, per sample unless
said otherwise, for ``element_bytes`` bytes per activation element (2: bf16).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dojosim.workload.ops import Op, OpKind


@dataclass(frozen=True, slots=True)
class Affine:
    """A quantity ``fixed + per_sample * batch`` (batch in samples)."""

    fixed: float
    per_sample: float

    def at(self, batch: int) -> float:
        return self.fixed + self.per_sample * batch


@dataclass(frozen=True, slots=True)
class OpTemplate:
    """One op of a layer as a function of the batch: FLOPs, bytes and the matmul dimensions.

    ``m``, ``n``, ``k`` and ``batch`` follow :class:`~dojosim.workload.ops.Op`; for a
    matmul whose rows are samples × tokens, ``m`` scales with the batch; for a product of
    two activations (attention scores), ``batch`` does.
    """

    name: str
    kind: OpKind
    flops: Affine
    bytes: Affine
    m: Affine = Affine(0.0, 0.0)
    n: Affine = Affine(0.0, 0.0)
    k: Affine = Affine(0.0, 0.0)
    batch: Affine = Affine(1.0, 0.0)

    def at(self, batch: int) -> Op:
        """The op for ``batch`` samples on one chip."""

        def dim(a: Affine) -> int:
            return max(round(a.at(batch)), 0)

        return Op(
            self.name,
            self.kind,
            max(self.flops.at(batch), 0.0),
            max(self.bytes.at(batch), 0.0),
            dim(self.m),
            dim(self.n),
            dim(self.k),
            max(dim(self.batch), 1),
        )


@dataclass(frozen=True, slots=True)
class Layer:
    """One module of a network and the ops it runs itself (its children are other layers).

    ``name`` is the module path (``"backbone.stage1.0.conv1"``), ``kind`` one of
    ``conv``, ``linear``, ``attention``, ``norm``, ``pool``, ``elementwise``,
    ``embedding``, ``rnn``, ``parameter`` (holds weights, runs nothing itself).
    ``params`` counts the weights the module owns directly; ``activation_bytes``
    the bytes its ops save for backward and ``output_bytes`` its output, both per
    sample.
    """

    name: str
    kind: str
    params: float
    activation_bytes: float
    output_bytes: float
    templates: tuple[OpTemplate, ...] = field(default=(), repr=False)
    calls: int = 1  # times the module ran in one forward pass (a recurrent cell runs T times)

    def forward_ops(self, batch: int) -> tuple[Op, ...]:
        """This layer's forward ops for ``batch`` samples on one chip (unsplit)."""
        if batch < 1:
            raise ValueError(f"batch must be a positive number of samples, got {batch}")
        return tuple(t.at(batch) for t in self.templates)

    @property
    def forward_flops(self) -> float:
        """Forward FLOPs for one sample (a multiply-add is 2 FLOP)."""
        return sum(op.flops for op in self.forward_ops(1))

    @property
    def forward_bytes(self) -> float:
        """Forward memory traffic of this layer's ops for one sample, bytes."""
        return sum(op.bytes for op in self.forward_ops(1))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "forward_flops": self.forward_flops,
            "params": self.params,
            "activation_bytes": self.activation_bytes,
            "output_bytes": self.output_bytes,
            "ops": len(self.templates),
            "calls": self.calls,
        }


@dataclass(frozen=True, slots=True)
class Workload:
    """A network as layers; every figure is per sample unless a method takes ``batch``."""

    name: str
    layers: tuple[Layer, ...]
    input_shape: tuple[int, ...]  # one sample, batch dimension removed
    element_bytes: float = 2.0  # bytes per activation element the byte counts assume

    @property
    def forward_flops(self) -> float:
        """Forward FLOPs for one sample (a multiply-add is 2 FLOP)."""
        return sum(layer.forward_flops for layer in self.layers)

    @property
    def forward_multiply_adds(self) -> float:
        """Forward multiply-adds ("MACs") for one sample: ``forward_flops / 2``."""
        return self.forward_flops / 2.0

    @property
    def params(self) -> float:
        """Parameters (weights), counted once even when shared."""
        return sum(layer.params for layer in self.layers)

    @property
    def activation_bytes(self) -> float:
        """Bytes the forward pass saves for backward, per sample (sum over layers)."""
        return sum(layer.activation_bytes for layer in self.layers)

    def forward_ops(self, batch: int) -> tuple[Op, ...]:
        """Every forward op, in execution order of first call, for ``batch`` samples on one chip."""
        return tuple(op for layer in self.layers for op in layer.forward_ops(batch))

    def layer(self, name: str) -> Layer:
        """The layer called ``name`` (a module path); ``KeyError`` if none."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    def top_layers(self, count: int = 10) -> list[Layer]:
        """The ``count`` layers with the most forward FLOPs (ties: more bytes first)."""
        ranked = sorted(self.layers, key=lambda x: (x.forward_flops, x.forward_bytes), reverse=True)
        return ranked[:count]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: totals per sample and one row per layer."""
        return {
            "name": self.name,
            "forward_flops": self.forward_flops,
            "forward_multiply_adds": self.forward_multiply_adds,
            "params": self.params,
            "activation_bytes": self.activation_bytes,
            "element_bytes": self.element_bytes,
            "input_shape": list(self.input_shape),
            "layers": [layer.as_dict() for layer in self.layers],
        }
