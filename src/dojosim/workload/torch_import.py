"""Import any ``torch.nn.Module`` as a :class:`~dojosim.workload.graph.Workload`.

:func:`from_torch` runs the module on the meta device (no memory is allocated, no
arithmetic is done) under a ``TorchDispatchMode`` that sees every aten op with its
shapes, and attributes each op to the innermost module running at the time
(forward pre- and post-hooks keep a stack of module paths). It runs twice, at the
example's batch ``B`` and at ``2B``, and writes every op's FLOPs, bytes and matmul
dimensions as ``fixed + per_sample * batch``: weights stay fixed, activations scale.

Op mapping (bytes assume ``element_bytes`` per floating-point element):

- ``mm`` / ``addmm`` (``nn.Linear``): ``matmul`` with ``m`` = rows (samples × tokens),
  ``n`` = output features, ``k`` = input features; ``bmm`` / ``baddbmm``: batched matmul.
- convolution (1-3 d): implicit GEMM ``matmul`` with ``m`` = N × output positions,
  ``n`` = Cout / groups, ``k`` = Cin / groups × kernel volume, ``batch`` = groups; its
  bytes are the real traffic (input, weight, output), not the im2col matrix. A transposed
  convolution is the GEMM ``m`` = N × input positions, ``n`` = Cout / groups × kernel
  volume, ``k`` = Cin / groups.
- ``F.scaled_dot_product_attention``: one fused ``attention`` op (``m`` = query length,
  ``n`` = key length, ``k`` = head dim, ``batch`` = N × heads), bytes of q, k, v and
  the output; it saves q, k, v, the output and the log-sum-exp for backward.
- everything else that moves data (norms, activations, pooling, adds, copies):
  ``elementwise`` with the bytes of its inputs and outputs; views move nothing.

FLOPs come from ``torch.utils.flop_counter``'s own formulas, so a workload's total
agrees with ``FlopCounterMode`` (a multiply-add is 2 FLOP; element-wise ops count 0).
Activation bytes are what autograd saves for backward (``saved_tensors_hooks``),
parameters and buffers excluded, each stored tensor counted once.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from dojosim.errors import SpecError
from dojosim.workload.graph import Affine, Layer, OpTemplate, Workload
from dojosim.workload.ops import Op
from dojosim.workload.torch_trace import layer_kind, meta_like, trace


def _affine(v1: float, v2: float, b1: int, b2: int) -> Affine:
    per = (v2 - v1) / (b2 - b1)
    fixed = v1 - per * b1
    if abs(fixed) <= 1e-9 * max(abs(v1), 1.0):
        fixed = 0.0
    return Affine(fixed, per)


def _templates(ops1: list[Op], ops2: list[Op], b1: int, b2: int) -> tuple[OpTemplate, ...]:
    aligned = len(ops1) == len(ops2) and all(
        (x.name, x.kind) == (y.name, y.kind) for x, y in zip(ops1, ops2, strict=True)
    )
    out = []
    for i, x in enumerate(ops1):
        if aligned:
            y = ops2[i]
            fit = [
                _affine(float(getattr(x, f)), float(getattr(y, f)), b1, b2)
                for f in ("flops", "bytes", "m", "n", "k", "batch")
            ]
        else:  # control flow depends on the batch: assume everything scales with it
            fit = [Affine(0.0, x.flops / b1), Affine(0.0, x.bytes / b1)]
            scaled = "m" if x.m % b1 == 0 and x.m else "batch"
            for f in ("m", "n", "k", "batch"):
                v = float(getattr(x, f))
                fit.append(Affine(0.0, v / b1) if f == scaled else Affine(v, 0.0))
        out.append(OpTemplate(x.name, x.kind, *fit))
    return tuple(out)


def _example(example_input: Any) -> tuple[tuple[Any, ...], int]:
    inputs = example_input if isinstance(example_input, tuple) else (example_input,)
    tensors = [t for t in inputs if isinstance(t, torch.Tensor)]
    if not tensors:
        raise SpecError("example_input: expected a tensor or a tuple of tensors")
    if tensors[0].dim() == 0 or tensors[0].shape[0] < 1:
        raise SpecError(
            "example_input: the first tensor's leading dimension is the batch; "
            f"got shape {tuple(tensors[0].shape)}"
        )
    return inputs, int(tensors[0].shape[0])


def _rebatch(inputs: tuple[Any, ...], old: int, new: int) -> tuple[Any, ...]:
    out: list[Any] = []
    for t in inputs:
        if isinstance(t, torch.Tensor):
            shape = tuple(int(s) for s in t.shape)
            if shape and shape[0] == old:
                shape = (new, *shape[1:])
            out.append(meta_like(t, shape))
        else:
            out.append(t)
    return tuple(out)


def from_torch(
    module: nn.Module,
    example_input: torch.Tensor | tuple[Any, ...],
    *,
    name: str | None = None,
    element_bytes: float = 2.0,
) -> Workload:
    """Trace ``module`` on the meta device into a :class:`Workload`.

    ``example_input`` is a tensor or a tuple of tensors (its values are never read; any
    device); the first tensor's leading dimension is the batch, and every tensor whose
    leading dimension equals it is batched. ``element_bytes`` is the size of one
    activation element the byte counts assume (2: bf16). The module is not changed:
    its parameters and buffers are replaced by meta stand-ins for the run
    (``torch.func.functional_call``) and the hooks are removed afterwards.
    """
    if not isinstance(module, nn.Module):
        raise SpecError(f"expected a torch.nn.Module, got {type(module).__name__}")
    if not (element_bytes > 0 and math.isfinite(element_bytes)):
        raise SpecError(f"element_bytes must be a positive number, got {element_bytes!r}")
    inputs, b1 = _example(example_input)
    b2 = 2 * b1
    rec1 = trace(module, _rebatch(inputs, b1, b1), element_bytes)
    rec2 = trace(module, _rebatch(inputs, b1, b2), element_bytes)
    layers: list[tuple[float, int, Layer]] = []
    for path, r1 in rec1.items():
        r2 = rec2.get(path, r1)
        if not (r1.ops or r1.params):
            continue
        index = next(int(f[6:]) for f in r1.flags if f.startswith("index:"))
        act = _affine(r1.saved_bytes, r2.saved_bytes, b1, b2)
        outb = _affine(r1.output_bytes, r2.output_bytes, b1, b2)
        layer = Layer(
            name=r1.name,
            kind=layer_kind(r1),
            params=r1.params,
            activation_bytes=act.at(1),
            output_bytes=outb.at(1),
            templates=_templates(r1.ops, r2.ops, b1, b2),
            calls=max(r1.calls, 1),
        )
        layers.append((r1.order, index, layer))
    layers.sort(key=lambda x: (x[0], x[1]))
    first = next(t for t in inputs if isinstance(t, torch.Tensor))
    return Workload(
        name=name or type(module).__name__,
        layers=tuple(layer for _, _, layer in layers),
        input_shape=tuple(int(s) for s in first.shape[1:]),
        element_bytes=float(element_bytes),
    )
