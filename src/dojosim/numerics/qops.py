"""Matrix products with their operands stored in a format: linear, conv2d, matmul.

Every product quantises what goes into it (WP p7: "operands stored in CFloat8 format
in memory may be operated on and expanded to wider data types, such as Float32"):

* forward: the input activations and the weights (roles ``NAME.act``,
  ``NAME.weight``; for a product of two activations, ``NAME.lhs`` and ``NAME.rhs``);
* backward: the incoming gradient (``NAME.grad``) and the weight gradient handed to
  the optimizer (``NAME.weight_grad``).

The products themselves run in FP32 on the dequantised values (FP32 accumulation);
the optimizer keeps FP32 master weights. A quantizer is any callable
``(tensor, role) -> tensor``; :func:`~dojosim.numerics.quantizer.identity` is FP32.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.nn import functional as F

Quantizer = Callable[[torch.Tensor, str], torch.Tensor]


class _Linear(torch.autograd.Function):
    """y = Q(x) Q(w)^T + b over the last dimension of x."""

    @staticmethod
    def forward(
        ctx: Any, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, q: Quantizer, name: str
    ) -> torch.Tensor:
        xq, wq = q(x, f"{name}.act"), q(w, f"{name}.weight")
        ctx.save_for_backward(xq, wq)
        ctx.q, ctx.name = q, name
        return xq @ wq.t() + b

    @staticmethod
    def backward(ctx: Any, gy: torch.Tensor) -> tuple[Any, ...]:
        xq, wq = ctx.saved_tensors
        q, name = ctx.q, ctx.name
        gq = q(gy, f"{name}.grad")
        g2, x2 = gq.reshape(-1, gq.shape[-1]), xq.reshape(-1, xq.shape[-1])
        gw = q(g2.t() @ x2, f"{name}.weight_grad")
        return gq @ wq, gw, g2.sum(0), None, None


class _Conv2d(torch.autograd.Function):
    """y = conv2d(Q(x), Q(w)) + b, with the backward products of the quantised gradient."""

    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        w: torch.Tensor,
        b: torch.Tensor,
        q: Quantizer,
        name: str,
        padding: int,
    ) -> torch.Tensor:
        xq, wq = q(x, f"{name}.act"), q(w, f"{name}.weight")
        ctx.save_for_backward(xq, wq)
        ctx.q, ctx.name, ctx.padding = q, name, padding
        return F.conv2d(xq, wq, b, padding=padding)

    @staticmethod
    def backward(ctx: Any, gy: torch.Tensor) -> tuple[Any, ...]:
        xq, wq = ctx.saved_tensors
        q, name, p = ctx.q, ctx.name, ctx.padding
        gq = q(gy.contiguous(), f"{name}.grad")
        gx, gw, _ = torch.ops.aten.convolution_backward(
            gq, xq, wq, None, [1, 1], [p, p], [1, 1], False, [0, 0], 1, [True, True, False]
        )
        return gx, q(gw, f"{name}.weight_grad"), gq.sum((0, 2, 3)), None, None, None


class _Matmul(torch.autograd.Function):
    """y = Q(a) @ Q(b) for two activations (attention scores and their use)."""

    @staticmethod
    def forward(ctx: Any, a: torch.Tensor, b: torch.Tensor, q: Quantizer, name: str) -> Any:
        aq, bq = q(a, f"{name}.lhs"), q(b, f"{name}.rhs")
        ctx.save_for_backward(aq, bq)
        ctx.q, ctx.name = q, name
        return aq @ bq

    @staticmethod
    def backward(ctx: Any, gy: torch.Tensor) -> tuple[Any, ...]:
        aq, bq = ctx.saved_tensors
        gq = ctx.q(gy.contiguous(), f"{ctx.name}.grad")
        return gq @ bq.transpose(-1, -2), aq.transpose(-1, -2) @ gq, None, None


def matmul(a: torch.Tensor, b: torch.Tensor, q: Quantizer, name: str) -> torch.Tensor:
    """``a @ b`` with both operands and the incoming gradient in the quantizer's formats."""
    return _Matmul.apply(a, b, q, name)


class QLinear(torch.nn.Linear):
    """``torch.nn.Linear`` whose product runs through a quantizer."""

    def __init__(self, n_in: int, n_out: int, q: Quantizer, name: str):
        super().__init__(n_in, n_out)
        self.q, self.qname = q, name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _Linear.apply(x, self.weight, self.bias, self.q, self.qname)


class QConv2d(torch.nn.Conv2d):
    """A 'same'-padded, stride-1 ``torch.nn.Conv2d`` whose product runs through a quantizer."""

    def __init__(self, c_in: int, c_out: int, kernel: int, q: Quantizer, name: str):
        super().__init__(c_in, c_out, kernel, padding=kernel // 2)
        self.q, self.qname = q, name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _Conv2d.apply(
            x, self.weight, self.bias, self.q, self.qname, self.kernel_size[0] // 2
        )
