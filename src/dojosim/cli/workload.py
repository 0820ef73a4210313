"""`dojosim workload ...`: catalog networks traced into workloads, catalog models as counts.

``dojosim workload list`` names every catalog network and model; ``dojosim workload show
NAME`` prints, for a network, its forward FLOPs, parameters, activation bytes, published
checks and top layers, and for a transformer model its total and active parameters, the
parameters per layer kind and its training FLOPs per token by component (router, routed and
shared experts, MLA, attention at the model's sequence length), checked against the published
counts (``--json``: one JSON document). Bad input raises
:class:`~dojosim.errors.DojosimError`, which the main CLI turns into one line, exit 2.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from dojosim.errors import SpecError
from dojosim.report.jsonout import print_json

app = typer.Typer(
    help="Networks and models as workloads: FLOPs, parameters (total and active), published checks.",
    no_args_is_help=True,
)

from dojosim.cli.common import JSON_OPT  # noqa: E402


def show_data(name: str, batch: int = 1, top: int = 10) -> dict[str, Any]:
    """Everything ``show`` prints, as a JSON-ready mapping (per sample, plus ``batch`` totals)."""
    from dojosim.workload.networks import checks, network

    if batch < 1:
        raise SpecError(f"--batch must be a positive number of samples, got {batch}")
    if top < 0:
        raise SpecError(f"--top must be >= 0, got {top}")
    w = network(name)
    ops = w.forward_ops(batch)
    out = w.as_dict()
    out["batch"] = {
        "samples": batch,
        "forward_flops": sum(op.flops for op in ops),
        "forward_bytes": sum(op.bytes for op in ops),
        "activation_bytes": w.activation_bytes * batch,
        "ops": len(ops),
    }
    out["checks"] = [c.as_dict() for c in checks(name)]
    out["top_layers"] = [layer.as_dict() for layer in w.top_layers(top)]
    return out


def _si(x: float, unit: str) -> str:
    for scale, prefix in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"{x / scale:.3g} {prefix}{unit}"
    return f"{x:.3g} {unit}"


def list_rows(kind: str | None = None) -> list[dict[str, Any]]:
    """One row per catalog network and model (``kind``: ``network`` or ``model`` only)."""
    from dojosim.catalog import get, names
    from dojosim.workload.accounting import active_params, total_params

    if kind not in (None, "network", "model"):
        raise SpecError(f"--kind must be network or model, got {kind!r}")
    rows: list[dict[str, Any]] = []
    for n in names("network") if kind in (None, "network") else []:
        spec = get("network", n)
        rows.append({"name": n, "kind": "network", "builder": spec.builder,
                     "input": list(spec.input), "published": len(spec.published),
                     "description": spec.description.strip()})  # fmt: skip
    for n in names("model") if kind in (None, "model") else []:
        m = get("model", n)
        rows.append({"name": n, "kind": "model", "family": m.family, "experts": m.experts,
                     "params": total_params(m), "active_params": active_params(m),
                     "published": len(m.params_published),
                     "description": m.description.strip()})  # fmt: skip
    return rows


@app.command("list")
def list_cmd(
    kind: str = typer.Option(None, "--kind", help="network or model (default: both)."),
    json_out: bool = JSON_OPT,
) -> None:
    """List the catalog networks and models."""
    rows = list_rows(kind)
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    from dojosim.report.tables import console

    t = Table(title="dojosim workloads: catalog networks and models")
    for col in ("name", "kind", "shape", "params", "published", "description"):
        t.add_column(col)
    for r in rows:
        if r["kind"] == "network":
            shape, params = f"{r['builder']} {'x'.join(map(str, r['input']))}", ""
        else:
            moe = f", {r['experts']} experts" if r["experts"] > 1 else ""
            shape = f"{r['family'] or 'transformer'}{moe}"
            params = f"{_si(r['params'], '')} ({_si(r['active_params'], '')} active)"
        t.add_row(r["name"], r["kind"], shape, params, str(r["published"]), r["description"])
    console().print(t)


@app.command("show")
def show_cmd(
    name: str = typer.Argument(
        ..., help="Catalog network or model, e.g. vit-b16-224, deepseek-v3."
    ),
    batch: int = typer.Option(
        1, "--batch", help="Network: samples per forward pass for the totals."
    ),
    top: int = typer.Option(10, "--top", help="Network: how many of the costliest layers to list."),
    seq_len: int = typer.Option(
        None, "--seq-len", help="Model: sequence length for attention FLOPs."
    ),
    json_out: bool = JSON_OPT,
) -> None:
    """A network's forward FLOPs, activations and top layers, or a model's total and active
    parameters and training FLOPs per token by component; both with their published checks."""
    if _is_model(name):
        from dojosim.catalog import get
        from dojosim.workload.models import summary

        doc = summary(get("model", name), seq_len)
        if json_out:
            print_json(doc)
        else:
            _print_model(doc)
        return
    d = show_data(name, batch, top)
    if json_out:
        print_json(d)
        return
    from rich.table import Table

    from dojosim.report.tables import console

    b = d["batch"]
    lines = [
        f"{d['name']}: input {'x'.join(map(str, d['input_shape']))} per sample",
        f"  forward        {_si(d['forward_flops'], 'FLOP')} per sample "
        f"({_si(d['forward_multiply_adds'], '')} multiply-adds)",
        f"  parameters     {d['params']:,.0f}",
        f"  activations    {_si(d['activation_bytes'], 'B')} per sample saved for backward "
        f"({d['element_bytes']:g} B per element)",
        f"  batch {b['samples']:<8} {_si(b['forward_flops'], 'FLOP')}, "
        f"{_si(b['forward_bytes'], 'B')} moved, {_si(b['activation_bytes'], 'B')} saved, "
        f"{b['ops']} ops",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    if d["checks"]:
        t = Table(title="published counts")
        for col in ("quantity", "published", "measured", "error", "tolerance", "source"):
            t.add_column(col)
        for c in d["checks"]:
            unit = "FLOP" if c["quantity"] == "forward_flops" else ""
            t.add_row(c["quantity"], _si(c["published"], unit), _si(c["measured"], unit),
                      f"{100 * c['error']:+.2f}%" + ("" if c["ok"] else " FAIL"),
                      f"{100 * c['tolerance']:g}%", c["source"])  # fmt: skip
        console().print(t)
    t = Table(title=f"top {len(d['top_layers'])} layers by forward FLOPs (per sample)")
    for col in ("layer", "kind", "FLOP", "params", "activations", "calls"):
        t.add_column(col)
    for r in d["top_layers"]:
        t.add_row(r["name"], r["kind"], _si(r["forward_flops"], ""), f"{r['params']:,.0f}",
                  _si(r["activation_bytes"], "B"), str(r["calls"]))  # fmt: skip
    console().print(t)


def _is_model(name: str) -> bool:
    """Whether ``name`` is a catalog model; neither a model nor a network raises with a suggestion."""
    from dojosim.catalog import names
    from dojosim.errors import CatalogError, nearest

    if name in names("model"):
        return True
    if name not in names("network"):
        every = names("network") + names("model")
        raise CatalogError(f"no catalog network or model {name!r}{nearest(name, every)}")
    return False


_FLOP_ROWS = {
    "attention_projections": "attention projections (QKV, output)",
    "mla_projections": "MLA low-rank projections",
    "attention": "attention (QK^T, AV) at the sequence length",
    "dense_mlp": "dense MLP",
    "router": "router",
    "routed_experts": "routed experts (top_k)",
    "shared_experts": "shared experts",
    "logits": "output head (logits)",
    "mtp": "multi-token prediction",
}


def _print_model(d: dict[str, Any]) -> None:
    from rich.table import Table

    from dojosim.report.tables import console

    a = d["architecture"]
    moe = "no MoE layer"
    if a["experts"] > 1:
        shared = f", {a['shared_experts']} shared" if a["shared_experts"] else ""
        moe = f"{a['moe_layers']} MoE layers of {a['experts']} experts (top-{a['top_k']}{shared})"
    lines = [
        f"{d['name']}: {a['layers']} layers ({a['dense_layers']} dense, {moe}), "
        f"hidden {a['hidden']}, {a['heads']} heads, {a['attention']} attention"
        + (" (parallel block)" if a.get("parallel_block") else "")
        + (f", dropout {a['dropout']:g}" if a["dropout"] else ", no dropout"),
        f"  parameters     {d['params']:,.0f} total, {d['active_params']:,.0f} active per token"
        + (f" (+{d['mtp_params']:,.0f} in MTP modules)" if d["mtp_params"] else ""),
        f"  training       {_si(d['training_flops_per_token'], 'FLOP')} per token at "
        f"{d['seq_len']:,} tokens ({_si(d['training_flops_per_token_causal'], 'FLOP')} with "
        "causal attention)",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    t = Table(title="training FLOPs per token by component")
    for col in ("component", "FLOP per token", "share"):
        t.add_column(col)
    total = d["training_flops_per_token"]
    for key, value in d["training_flops_breakdown"].items():
        if value:
            t.add_row(_FLOP_ROWS[key], _si(value, "FLOP"), f"{100 * value / total:.1f}%")
    console().print(t)
    t = Table(title="parameters per layer kind")
    for col in ("layer kind", "layers", "parameters each", "active each"):
        t.add_column(col)
    for k in d["layer_kinds"]:
        t.add_row(k["kind"], str(k["count"]), f"{k['params']:,.0f}", f"{k['active_params']:,.0f}")
    console().print(t)
    if d["checks"]:
        t = Table(title="published counts")
        for col in ("quantity", "published", "ours", "error", "tolerance", "source"):
            t.add_column(col)
        for c in d["checks"]:
            t.add_row(c["quantity"], f"{c['published']:,.0f}", f"{c['measured']:,.0f}",
                      f"{100 * c['error']:+.2f}%" + ("" if c["ok"] else " FAIL"),
                      f"{100 * c['tolerance']:g}%", c["source"])  # fmt: skip
        console().print(t)
    sys.stdout.write(f"convention: {d['flops_convention']}\n")


def register(main_app: typer.Typer) -> None:
    """Add the ``workload`` group."""
    main_app.add_typer(app, name="workload")
