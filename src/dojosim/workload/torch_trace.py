"""Record what a ``torch.nn.Module`` does, op by op, on the meta device.

:func:`trace` runs the module under a ``TorchDispatchMode`` that sees every aten op with
its shapes and attributes it to the innermost module running at the time (forward pre-
and post-hooks keep a stack of module paths); ``saved_tensors_hooks`` count the bytes
autograd keeps for backward. :mod:`dojosim.workload.torch_import` turns two such
records (at two batch sizes) into a :class:`~dojosim.workload.graph.Workload`; its
docstring gives the op mapping and the byte conventions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

from dojosim.errors import SpecError
from dojosim.workload.ops import Op

aten = torch.ops.aten

_MATMULS = {aten.mm, aten.addmm, aten.bmm, aten.baddbmm}
_CONVS = {
    aten.convolution,
    aten._convolution,
    aten.convolution_overrideable,
    aten.cudnn_convolution,
    aten._slow_conv2d_forward,
}
# Ops that allocate or relabel memory without moving data.
_FREE = {
    aten.empty,
    aten.empty_like,
    aten.empty_strided,
    aten.new_empty,
    aten.new_empty_strided,
    aten._unsafe_view,
    aten.detach,
    aten.alias,
    aten.lift_fresh,
    aten.lift_fresh_copy,
    aten.sym_size,
    aten.sym_stride,
    aten.sym_numel,
    aten.sym_storage_offset,
}

_KIND_BY_TYPE: tuple[tuple[tuple[type[nn.Module], ...], str], ...] = (
    ((nn.modules.conv._ConvNd,), "conv"),
    ((nn.Linear, nn.Bilinear, nn.LazyLinear), "linear"),
    ((nn.MultiheadAttention,), "attention"),
    ((nn.RNNBase, nn.RNNCellBase), "rnn"),
    ((nn.Embedding, nn.EmbeddingBag), "embedding"),
    (
        (
            nn.modules.batchnorm._NormBase,
            nn.LayerNorm,
            nn.GroupNorm,
            nn.LocalResponseNorm,
            nn.RMSNorm,
        ),
        "norm",
    ),
    (
        (
            nn.modules.pooling._MaxPoolNd,
            nn.modules.pooling._AvgPoolNd,
            nn.modules.pooling._AdaptiveAvgPoolNd,
            nn.modules.pooling._AdaptiveMaxPoolNd,
            nn.modules.pooling._LPPoolNd,
        ),
        "pool",
    ),
)


@dataclass
class Record:
    name: str
    module_kind: str | None
    order: float
    params: float = 0.0
    ops: list[Op] = field(default_factory=list)
    saved_bytes: float = 0.0
    output_bytes: float = 0.0
    calls: int = 0
    flags: set[str] = field(default_factory=set)


def _tensors(obj: Any) -> Iterator[torch.Tensor]:
    """Every tensor in a (nested) argument or result."""
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, list | tuple):
        for item in obj:
            yield from _tensors(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _tensors(item)


class _Tracer:
    """The state of one meta-device run: module stack, per-module records, saved tensors."""

    def __init__(self, element_bytes: float, weight_ids: set[int], state_ids: set[int]):
        self.eb = element_bytes
        self.weight_ids = weight_ids  # parameters (matmul weights)
        self.state_ids = state_ids  # parameters and buffers (never activations)
        self.stack: list[str] = []
        self.records: dict[str, Record] = {}
        self.counter = 0
        self.saved: dict[int, torch.Tensor] = {}  # keeps saved tensors alive, so ids stay unique
        self.sdpa_depth = 0
        self.sdpa_flops = 0.0

    # -- sizes ---------------------------------------------------------------------------
    def nbytes(self, t: torch.Tensor) -> float:
        per = self.eb if (t.is_floating_point() or t.is_complex()) else t.element_size()
        return float(t.numel()) * per

    def is_weight(self, t: torch.Tensor) -> bool:
        base = t._base if t._base is not None else t
        return id(base) in self.weight_ids

    # -- attribution ---------------------------------------------------------------------
    def record(self, name: str) -> Record:
        return self.records[name]

    @property
    def current(self) -> Record:
        return self.records[self.stack[-1] if self.stack else ""]

    def add_op(self, op: Op) -> None:
        rec = self.current
        if rec.order == math.inf:
            rec.order = self.counter
        self.counter += 1
        rec.ops.append(op)

    # -- aten ops ------------------------------------------------------------------------
    def on_op(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> None:
        packet = func.overloadpacket
        flops = 0.0
        if packet in flop_registry:
            flops = float(flop_registry[packet](*args, **kwargs, out_val=out))
        if self.sdpa_depth:
            self.sdpa_flops += flops
            return
        if func.is_view or packet in _FREE:
            return
        short = packet.__name__
        owner = self.stack[-1] if self.stack else "root"
        name = f"{owner}.{short}"
        if packet in _MATMULS:
            a, b = (args[1], args[2]) if packet in (aten.addmm, aten.baddbmm) else args[:2]
            if a.dim() == 2:
                batch, (m, k), n = 1, a.shape, b.shape[1]
            else:
                (batch, m, k), n = a.shape, b.shape[-1]
            traffic = (batch * (m * k + k * n + m * n)) * self.eb
            self.add_op(Op(name, "matmul", flops, traffic, int(m), int(n), int(k), int(batch)))
            if not (self.is_weight(a) or self.is_weight(b)):
                self.current.flags.add("activation_matmul")
            return
        if packet in _CONVS:
            self.add_op(self._conv(name, flops, args, out))
            self.current.flags.add("conv")
            return
        outs = list(_tensors(out))
        traffic = sum(self.nbytes(t) for t in _tensors(args)) + sum(self.nbytes(t) for t in outs)
        if flops:
            self.add_op(Op(name, "matmul", flops, traffic))
        elif traffic:
            self.add_op(Op(name, "elementwise", 0.0, traffic))

    def _conv(self, name: str, flops: float, args: tuple[Any, ...], out: Any) -> Op:
        x, w = args[0], args[1]
        bias = args[2] if len(args) > 2 else None
        transposed = bool(args[6]) if len(args) > 6 else False
        groups = int(args[8]) if len(args) > 8 else 1
        y = next(_tensors(out))
        kvol = math.prod(int(s) for s in w.shape[2:])
        if transposed:  # weight [Cin, Cout/groups, *kernel]
            m = int(x.shape[0]) * math.prod(int(s) for s in x.shape[2:])
            n = int(w.shape[1]) * kvol
            k = int(w.shape[0]) // groups
        else:  # weight [Cout, Cin/groups, *kernel]
            m = int(y.shape[0]) * math.prod(int(s) for s in y.shape[2:])
            n = int(w.shape[0]) // groups
            k = int(w.shape[1]) * kvol
        traffic = self.nbytes(x) + self.nbytes(w) + self.nbytes(y)
        if isinstance(bias, torch.Tensor):
            traffic += self.nbytes(bias)
        return Op(name, "matmul", flops, traffic, m, n, k, groups)

    # -- fused attention -----------------------------------------------------------------
    def on_sdpa(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        q, k, v = args[:3]
        self.sdpa_depth += 1
        self.sdpa_flops = 0.0
        try:
            out = func(*args, **kwargs)
        finally:
            self.sdpa_depth -= 1
        flops, self.sdpa_flops = self.sdpa_flops, 0.0
        mask = args[3] if len(args) > 3 else kwargs.get("attn_mask")
        traffic = sum(self.nbytes(t) for t in (q, k, v, out))
        if isinstance(mask, torch.Tensor):
            traffic += self.nbytes(mask)
        heads = math.prod(int(s) for s in q.shape[:-2])
        owner = self.stack[-1] if self.stack else "root"
        self.add_op(
            Op(
                f"{owner}.attention",
                "attention",
                flops,
                traffic,
                int(q.shape[-2]),
                int(k.shape[-2]),
                int(q.shape[-1]),
                heads,
            )
        )
        self.current.flags.add("sdpa")
        if torch.is_grad_enabled() and any(t.requires_grad for t in (q, k, v)):
            for t in (q, k, v, out):
                self.save(t)
            self.current.saved_bytes += 4.0 * heads * int(q.shape[-2])  # fp32 log-sum-exp
        return out

    # -- saved activations ---------------------------------------------------------------
    def save(self, t: torch.Tensor) -> None:
        base = t._base if t._base is not None else t
        key = id(base)
        if key in self.state_ids or key in self.saved:
            return
        self.saved[key] = base
        self.current.saved_bytes += self.nbytes(base)

    def pack(self, t: torch.Tensor) -> torch.Tensor:
        if not self.sdpa_depth:
            self.save(t)
        return t


class _Dispatch(TorchDispatchMode):
    def __init__(self, tracer: _Tracer):
        super().__init__()
        self.tracer = tracer

    def __torch_dispatch__(
        self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None
    ) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        self.tracer.on_op(func, args, kwargs, out)
        return out


class _Functions(TorchFunctionMode):
    def __init__(self, tracer: _Tracer):
        super().__init__()
        self.tracer = tracer

    def __torch_function__(
        self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None
    ) -> Any:
        kwargs = kwargs or {}
        if getattr(func, "__name__", "") == "scaled_dot_product_attention":
            return self.tracer.on_sdpa(func, args, kwargs)
        return func(*args, **kwargs)


def _module_kind(module: nn.Module) -> str | None:
    for types, kind in _KIND_BY_TYPE:
        if isinstance(module, types):
            return kind
    if not any(True for _ in module.children()) and not any(
        True for _ in module.parameters(recurse=False)
    ):
        return "elementwise"  # activations, dropout, identity, flatten, ...
    return None


def layer_kind(rec: Record) -> str:
    if rec.module_kind and (rec.module_kind != "elementwise" or not rec.ops):
        return rec.module_kind
    if not rec.ops:
        return "parameter" if rec.params else "elementwise"
    if "sdpa" in rec.flags or "activation_matmul" in rec.flags:
        return "attention"
    if "conv" in rec.flags:
        return "conv"
    if any(op.kind == "matmul" for op in rec.ops):
        return "linear"
    return "elementwise"


def meta_like(t: torch.Tensor, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    return torch.empty(shape if shape is not None else t.shape, dtype=t.dtype, device="meta")


def trace(module: nn.Module, inputs: tuple[Any, ...], element_bytes: float) -> dict[str, Record]:
    """One forward pass on the meta device: a record per module path."""
    stand_in: dict[int, torch.Tensor] = {}
    state: dict[str, torch.Tensor] = {}
    for key, p in module.named_parameters(remove_duplicate=False):
        if id(p) not in stand_in:
            stand_in[id(p)] = meta_like(p).requires_grad_(p.requires_grad)
        state[key] = stand_in[id(p)]
    weight_ids = {id(t) for t in stand_in.values()}
    for key, b in module.named_buffers(remove_duplicate=False):
        if id(b) not in stand_in:
            stand_in[id(b)] = meta_like(b)
        state[key] = stand_in[id(b)]
    tracer = _Tracer(element_bytes, weight_ids, {id(t) for t in stand_in.values()})

    counted: set[int] = set()
    handles = []
    for index, (path, sub) in enumerate(module.named_modules()):
        own = 0.0
        for p in sub.parameters(recurse=False):
            if id(p) not in counted:
                counted.add(id(p))
                own += p.numel()
        tracer.records[path] = Record(path or "root", _module_kind(sub), math.inf, own)
        tracer.records[path].flags.add(f"index:{index}")

        def pre(_m: nn.Module, _a: Any, path: str = path) -> None:
            tracer.stack.append(path)

        def post(_m: nn.Module, _a: Any, out: Any, path: str = path) -> None:
            rec = tracer.records[path]
            rec.calls += 1
            rec.output_bytes += sum(tracer.nbytes(t) for t in _tensors(out))
            if tracer.stack and tracer.stack[-1] == path:
                tracer.stack.pop()

        handles.append(sub.register_forward_pre_hook(pre))
        handles.append(sub.register_forward_hook(post, always_call=True))
    try:
        with (
            torch.enable_grad(),
            torch.autograd.graph.saved_tensors_hooks(tracer.pack, lambda t: t),
            _Functions(tracer),
            _Dispatch(tracer),
        ):
            torch.func.functional_call(module, state, inputs, strict=False)
    except (RuntimeError, NotImplementedError, TypeError, ValueError, IndexError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise SpecError(
            f"cannot trace {type(module).__name__} on the meta device: {type(exc).__name__}: {first}"
        ) from exc
    finally:
        for h in handles:
            h.remove()
    return tracer.records
