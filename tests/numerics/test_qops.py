"""Quantised products: FP32 gives torch's own gradients; a format rounds what it should."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from dojosim.numerics.qops import QConv2d, QLinear, matmul
from dojosim.numerics.quantizer import TensorQuantizer, identity
from dojosim.numerics.recipes import make_recipe


def _grads(out: torch.Tensor, *leaves: torch.Tensor) -> list[torch.Tensor]:
    return list(torch.autograd.grad(out.square().sum(), leaves))


def test_fp32_products_match_torch_forward_and_backward() -> None:
    torch.manual_seed(0)
    lin = QLinear(8, 5, identity, "fc")
    x = torch.randn(3, 4, 8, requires_grad=True)
    y = lin(x)
    ref = F.linear(x, lin.weight, lin.bias)
    assert torch.allclose(y, ref, atol=1e-6)
    for a, b in zip(
        _grads(y, x, lin.weight, lin.bias), _grads(ref, x, lin.weight, lin.bias), strict=True
    ):
        assert torch.allclose(a, b, atol=1e-5)

    conv = QConv2d(3, 4, 3, identity, "conv")
    img = torch.randn(2, 3, 6, 6, requires_grad=True)
    y, ref = conv(img), F.conv2d(img, conv.weight, conv.bias, padding=1)
    assert torch.allclose(y, ref, atol=1e-5)
    for a, b in zip(
        _grads(y, img, conv.weight, conv.bias),
        _grads(ref, img, conv.weight, conv.bias),
        strict=True,
    ):
        assert torch.allclose(a, b, atol=1e-4)

    a = torch.randn(2, 3, 4, 5, requires_grad=True)
    b = torch.randn(2, 3, 5, 6, requires_grad=True)
    y, ref = matmul(a, b, identity, "mm"), a @ b
    assert torch.allclose(y, ref, atol=1e-6)
    for g1, g2 in zip(_grads(y, a, b), _grads(ref, a, b), strict=True):
        assert torch.allclose(g1, g2, atol=1e-5)


class Recorder:
    """A quantizer that records the roles it sees and rounds like CFP8."""

    def __init__(self) -> None:
        self.q = TensorQuantizer(make_recipe("cfp8"))
        self.roles: list[str] = []

    def __call__(self, t: torch.Tensor, role: str) -> torch.Tensor:
        self.roles.append(role)
        return self.q(t, role)


def test_every_operand_and_gradient_is_rounded() -> None:
    torch.manual_seed(0)
    rec = Recorder()
    lin = QLinear(8, 5, rec, "fc")
    x = torch.randn(4, 8, requires_grad=True)
    y = lin(x)
    # The forward product is the FP32 product of the rounded operands.
    xq, wq = rec.q(x.detach(), "fc.act"), rec.q(lin.weight.detach(), "fc.weight")
    assert torch.equal(y.detach(), xq @ wq.t() + lin.bias.detach())
    y.sum().backward()
    assert rec.roles == ["fc.act", "fc.weight", "fc.grad", "fc.weight_grad"]
    # The weight gradient reaching the optimizer is a 1-5-2 value at its own bias.
    b = rec.q.biases["fc.weight_grad"]
    assert lin.weight.grad is not None
    again = TensorQuantizer(make_recipe("cfp8", (0, b)))(lin.weight.grad, "fc.weight_grad")
    assert torch.equal(lin.weight.grad, again)

    rec2 = Recorder()
    conv = QConv2d(2, 3, 3, rec2, "c")
    conv(torch.randn(1, 2, 5, 5, requires_grad=True)).sum().backward()
    assert rec2.roles == ["c.act", "c.weight", "c.grad", "c.weight_grad"]

    rec3 = Recorder()
    a, b2 = torch.randn(2, 3, requires_grad=True), torch.randn(3, 4, requires_grad=True)
    matmul(a, b2, rec3, "m").sum().backward()
    assert rec3.roles == ["m.lhs", "m.rhs", "m.grad"]
