"""`dojosim workload ...`: catalog networks traced into workloads.

``dojosim workload list`` names every catalog network; ``dojosim workload show NAME``
prints its forward FLOPs, parameters, activation bytes, published checks and top
layers (``--json``: one JSON document). Bad input raises
:class:`~dojosim.errors.DojosimError`, which the main CLI turns into one line, exit 2.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from dojosim.errors import SpecError
from dojosim.report.jsonout import print_json

app = typer.Typer(
    help="Networks as workloads: forward FLOPs, parameters, activations, published checks.",
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


@app.command("list")
def list_cmd(json_out: bool = JSON_OPT) -> None:
    """List the catalog networks with their builder, input and published counts."""
    from dojosim.catalog import get, names

    rows = []
    for n in names("network"):
        spec = get("network", n)
        rows.append(
            {
                "name": n,
                "builder": spec.builder,
                "input": list(spec.input),
                "published": len(spec.published),
                "description": spec.description.strip(),
            }
        )
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    from dojosim.report.tables import console

    t = Table(title="dojosim catalog networks")
    for col in ("name", "builder", "input", "published", "description"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["name"], r["builder"], "x".join(map(str, r["input"])), str(r["published"]),
                  r["description"])  # fmt: skip
    console().print(t)


@app.command("show")
def show_cmd(
    name: str = typer.Argument(..., help="Catalog network, e.g. vit-b16-224."),
    batch: int = typer.Option(1, "--batch", help="Samples per forward pass for the totals."),
    top: int = typer.Option(10, "--top", help="How many of the costliest layers to list."),
    json_out: bool = JSON_OPT,
) -> None:
    """Trace a catalog network: forward FLOPs, parameters, activations, checks, top layers."""
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


def register(main_app: typer.Typer) -> None:
    """Add the ``workload`` group."""
    main_app.add_typer(app, name="workload")
