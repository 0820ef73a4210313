"""`dojosim.workload.from_torch`: FLOPs, shapes, params, batch scaling, and no side effects."""

from __future__ import annotations

import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from dojosim.errors import SpecError  # noqa: E402
from dojosim.workload import from_torch  # noqa: E402


class Attention(nn.Module):
    def __init__(self, d: int, heads: int, fused: bool = True):
        super().__init__()
        self.heads, self.fused = heads, fused
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, s, d = x.shape
        q, k, v = self.qkv(x).reshape(n, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        if self.fused:
            o = F.scaled_dot_product_attention(q, k, v)
        else:  # unfused: two products of activations
            o = torch.softmax(q @ k.transpose(-1, -2), -1) @ v
        return self.proj(o.transpose(1, 2).reshape(n, s, d))


class Net(nn.Module):
    def __init__(self, fused: bool = True):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, 8, 8)
        self.bn = nn.BatchNorm2d(32)
        self.norm = nn.LayerNorm(32)
        self.attn = Attention(32, 4, fused)
        self.fc = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.bn(self.conv(x)).flatten(2).transpose(1, 2)  # [N, 16, 32]
        x = x + self.attn(self.norm(x))
        return self.fc(x.mean(1))


def _meta_flops(module: nn.Module, *inputs: torch.Tensor) -> float:
    """FlopCounterMode's total for one forward pass on the meta device (a deep copy)."""
    meta_inputs = tuple(torch.empty(t.shape, dtype=t.dtype, device="meta") for t in inputs)
    m = _to_meta(module)
    with FlopCounterMode(display=False) as counter:
        m(*meta_inputs)
    return float(counter.get_total_flops())


def _to_meta(module: nn.Module) -> nn.Module:
    import copy

    return copy.deepcopy(module).to("meta")


@pytest.mark.parametrize("fused", [True, False])
def test_flops_agree_with_flop_counter_mode(fused: bool) -> None:
    net = Net(fused)
    x = torch.randn(3, 3, 32, 32)
    w = from_torch(net, x)
    expected = _meta_flops(net, x)
    assert expected > 0
    assert sum(op.flops for op in w.forward_ops(3)) == pytest.approx(expected, rel=1e-12)
    assert w.forward_flops * 3 == pytest.approx(expected, rel=1e-12)


def test_conv_is_an_implicit_gemm() -> None:
    conv = nn.Conv2d(8, 16, 3, stride=2, padding=1, groups=2, bias=False)
    w = from_torch(conv, torch.empty(2, 8, 32, 32))
    (op,) = w.layer("root").forward_ops(5)
    assert (op.kind, op.m, op.n, op.k, op.batch) == ("matmul", 5 * 16 * 16, 8, 4 * 9, 2)
    assert op.flops == 2 * 5 * (16 * 16) * 16 * 4 * 9
    # real traffic: input, weight and output, weights counted once whatever the batch
    per_sample = (8 * 32 * 32 + 16 * 16 * 16) * 2
    assert op.bytes == pytest.approx(5 * per_sample + 16 * 4 * 9 * 2)


def test_transposed_3d_conv() -> None:
    up = nn.ConvTranspose3d(16, 8, 2, 2, bias=False)
    x = torch.empty(1, 16, 4, 6, 6)
    w = from_torch(up, x)
    (op,) = w.forward_ops(1)
    assert (op.m, op.n, op.k, op.batch) == (4 * 6 * 6, 8 * 8, 16, 1)
    assert op.flops == pytest.approx(_meta_flops(up, x))


def test_linear_rows_are_samples_times_tokens() -> None:
    w = from_torch(nn.Linear(64, 48), torch.empty(2, 10, 64))
    (op,) = w.forward_ops(7)
    assert (op.kind, op.m, op.n, op.k, op.batch) == ("matmul", 70, 48, 64, 1)
    assert w.layers[0].kind == "linear"
    # saved for backward: the input (10 x 64 per sample), never the weight
    assert w.activation_bytes == 10 * 64 * 2
    assert from_torch(
        nn.Linear(64, 48), torch.empty(2, 10, 64), element_bytes=4
    ).activation_bytes == (10 * 64 * 4)


def test_attention_ops() -> None:
    fused = from_torch(Net(True), torch.empty(2, 3, 32, 32))
    (op,) = [o for o in fused.forward_ops(3) if o.kind == "attention"]
    assert (op.m, op.n, op.k, op.batch) == (16, 16, 8, 3 * 4)
    assert op.flops == 4 * 3 * 4 * 16 * 16 * 8
    assert fused.layer("attn").kind == "attention"
    unfused = from_torch(Net(False), torch.empty(2, 3, 32, 32))
    bmms = [o for o in unfused.layer("attn").forward_ops(3) if o.kind == "matmul"]
    assert [(o.m, o.n, o.k, o.batch) for o in bmms] == [(16, 16, 8, 12), (16, 8, 16, 12)]
    assert unfused.layer("attn").kind == "attention"
    assert unfused.forward_flops == pytest.approx(fused.forward_flops)


def test_params_equal_the_module_count_shared_weights_once() -> None:
    class Tied(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(16, 16)
            self.b = self.a  # the same module twice
            self.c = nn.Linear(16, 4)
            self.c.weight = nn.Parameter(torch.zeros(4, 16))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.c(self.b(self.a(x)))

    m = Tied()
    w = from_torch(m, torch.empty(3, 16))
    assert w.params == sum(p.numel() for p in m.parameters())
    assert w.layer("a").calls == 2
    net = Net()
    assert from_torch(net, torch.empty(1, 3, 32, 32)).params == sum(
        p.numel() for p in net.parameters()
    )


def test_batch_scaling() -> None:
    w = from_torch(Net(), torch.empty(2, 3, 32, 32))
    one, four = w.forward_ops(1), w.forward_ops(4)
    assert len(one) == len(four)
    assert sum(o.flops for o in four) == pytest.approx(4 * sum(o.flops for o in one))
    for a, b in zip(one, four, strict=True):
        if a.kind == "matmul" and a.name.endswith("addmm"):
            assert (b.m, b.n, b.k) == (4 * a.m, a.n, a.k)  # rows scale, weights do not
            weight = a.n * a.k * 2
            assert b.bytes - weight == pytest.approx(4 * (a.bytes - weight))
    with pytest.raises(ValueError):
        w.forward_ops(0)


def test_users_module_is_untouched() -> None:
    net = Net()
    net.train()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    x = torch.randn(4, 3, 32, 32)
    from_torch(net, x)
    assert net.training
    after = net.state_dict()
    assert before.keys() == after.keys()
    for k, v in before.items():
        assert after[k].device.type == "cpu"
        assert torch.equal(after[k], v), k
    for m in net.modules():
        assert not m._forward_hooks and not m._forward_pre_hooks
    assert all(p.grad is None for p in net.parameters())
    net(x)  # still runs on real tensors


def test_tuple_input() -> None:
    class Two(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(8, 4)
            self.b = nn.Linear(6, 4)

        def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return self.a(x) + self.b(y)

    w = from_torch(Two(), (torch.empty(5, 8), torch.empty(5, 6)), name="two")
    assert w.name == "two" and w.input_shape == (8,)
    assert w.forward_flops == 2 * (8 * 4 + 6 * 4)
    assert [o.m for o in w.forward_ops(3) if o.kind == "matmul"] == [3, 3]


def test_as_dict_is_json_ready() -> None:
    import json

    d = from_torch(Net(), torch.empty(1, 3, 32, 32), name="net").as_dict()
    text = json.dumps(d)
    assert set(d) >= {
        "name",
        "forward_flops",
        "params",
        "activation_bytes",
        "input_shape",
        "layers",
    }
    assert set(d["layers"][0]) >= {
        "name", "kind", "forward_flops", "params", "activation_bytes", "output_bytes"
    }  # fmt: skip
    assert json.loads(text)["input_shape"] == [3, 32, 32]


def test_bad_input_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match=r"torch\.nn\.Module"):
        from_torch("not a module", torch.empty(1))  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="leading dimension"):
        from_torch(nn.ReLU(), torch.tensor(1.0))
    with pytest.raises(SpecError, match="tensor"):
        from_torch(nn.ReLU(), ("x",))

    class Item(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * float(x.sum().item())

    with pytest.raises(SpecError, match="meta device"):
        from_torch(Item(), torch.empty(2, 3))


def test_importing_dojosim_does_not_import_torch() -> None:
    code = (
        "import sys, dojosim, dojosim.workload, dojosim.workload.graph, dojosim.spec.network, "
        "dojosim.cli.workload; print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
