"""Plotly figures of an estimate (and of several side by side), as plain JSON-ready dicts.

Each function takes the ``dojosim estimate --json`` document (or a list of them)
and returns ``{"data": [...], "layout": {...}}``, which Plotly.js draws as is. The
web pages and the HTML report draw the same dicts, so both show the same plots.
Fields a document does not have (a network has no ``interleave``) are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: One colour per cause of the step and per kind of memory, the same on every plot.
PALETTE = (
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#E45756",
    "#72B7B2",
    "#EECA3B",
    "#B279A2",
    "#FF9DA6",
    "#9D755D",
    "#BAB0AC",
)

#: Memory kinds stacked per chip, in this order.
MEMORY_KINDS = ("weights", "gradients", "optimizer", "activations", "transient")

GIB = 2.0**30


def base_layout(title: str, **extra: Any) -> dict[str, Any]:
    """The layout every figure shares: a title, compact margins, a system font (no web fonts)."""
    layout: dict[str, Any] = {
        "title": {"text": title, "font": {"size": 15}},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 12},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"namelength": -1},
    }
    layout.update(extra)
    return layout


def cause_label(key: str) -> str:
    """``tensor_comm_s`` -> ``tensor comm``."""
    return key.removesuffix("_s").replace("_", " ")


def step_breakdown(doc: dict[str, Any]) -> dict[str, Any]:
    """The step split by cause: one horizontal bar per cause, seconds and share of the step."""
    parts = [(cause_label(k), float(v)) for k, v in doc.get("breakdown", {}).items()]
    step = float(doc.get("step_time_s") or 0.0)
    labels = [p[0] for p in parts]
    values = [p[1] for p in parts]
    text = [f"{v:.3g} s ({v / step:.1%})" if step else f"{v:.3g} s" for v in values]
    title = f"Step split by cause: {step:.4g} s per step"
    interval = doc.get("step_time_interval_s")
    if interval:
        title += f" (likely {interval[0]:.3g} .. {interval[1]:.3g} s)"
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": values,
                "text": text,
                "textposition": "auto",
                "marker": {"color": [PALETTE[i % len(PALETTE)] for i in range(len(parts))]},
                "hovertemplate": "%{y}: %{x:.4g} s<extra></extra>",
            }
        ],
        "layout": base_layout(
            title,
            xaxis={"title": {"text": "seconds per step (s)"}, "rangemode": "tozero"},
            yaxis={"autorange": "reversed", "automargin": True},
            height=60 + 28 * max(len(parts), 3),
            showlegend=False,
        ),
    }


def memory_stack(doc: dict[str, Any]) -> dict[str, Any]:
    """Memory per chip stacked by kind (GiB), with the chip's capacity as a line."""
    memory = doc.get("memory", {})
    data = [
        {
            "type": "bar",
            "name": kind,
            "x": ["per chip"],
            "y": [float(memory.get(kind, 0.0)) / GIB],
            "marker": {"color": PALETTE[i]},
            "hovertemplate": f"{kind}: %{{y:.3g}} GiB<extra></extra>",
        }
        for i, kind in enumerate(MEMORY_KINDS)
        if kind in memory
    ]
    capacity = float(doc.get("memory_capacity_bytes") or 0.0) / GIB
    shapes, notes = [], []
    if capacity:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": capacity,
                "y1": capacity,
                "line": {"color": "#333", "dash": "dash"},
            }
        )
        notes.append(
            {
                "xref": "paper",
                "x": 1,
                "y": capacity,
                "xanchor": "right",
                "yanchor": "bottom",
                "text": f"capacity {capacity:.3g} GiB",
                "showarrow": False,
            }
        )
    used = float(doc.get("memory_per_chip_bytes") or 0.0) / GIB
    fit = "fits" if doc.get("fits_in_memory", True) else "does NOT fit"
    return {
        "data": data,
        "layout": base_layout(
            f"Memory per chip: {used:.3g} GiB ({fit})",
            barmode="stack",
            yaxis={"title": {"text": "GiB per chip"}, "rangemode": "tozero"},
            shapes=shapes,
            annotations=notes,
            height=360,
            legend={"orientation": "h", "y": -0.15, "traceorder": "normal"},
        ),
    }


def _stage_layers(layout: dict[str, Any], pipeline: int) -> list[int]:
    layers = layout.get("stage_layers") or []
    if len(layers) == pipeline:
        return [int(x) for x in layers]
    return [0] * pipeline


def layout_grid(doc: dict[str, Any]) -> dict[str, Any]:
    """One data-parallel replica drawn as a tensor x pipeline grid, layers per stage in each cell.

    Cells are chips: columns are pipeline stages, rows are tensor ranks; the title
    says how many replicas (data-parallel groups) there are.
    """
    lay = doc.get("layout", {})
    tp = max(int(lay.get("tensor", 1) or 1), 1)
    pp = max(int(lay.get("pipeline", 1) or 1), 1)
    dp = int(lay.get("data", 1) or 1)
    layers = _stage_layers(lay, pp)
    z = [layers[:] for _ in range(tp)]
    show_text = tp * pp <= 256
    text = [[f"stage {s}<br>{layers[s]} layers" for s in range(pp)] for _ in range(tp)]
    interleave = lay.get("interleave")
    sub = f"; interleave {interleave}" if interleave and interleave != 1 else ""
    spatial = " (spatial split)" if "spatial_split" in lay else ""
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "x": [f"PP {s}" for s in range(pp)],
                "y": [f"TP {t}" for t in range(tp)],
                "text": text,
                "texttemplate": "%{text}" if show_text else "",
                "hovertemplate": "%{y}, %{x}: %{z} layers<extra></extra>",
                "colorscale": [[0, "#eef3fa"], [1, "#7fa7d6"]],
                "zmin": 0,
                "showscale": False,
                "xgap": 2,
                "ygap": 2,
            }
        ],
        "layout": base_layout(
            f"Layout: TP {tp}{spatial} x PP {pp} per replica, x DP {dp:,} replicas{sub}",
            xaxis={"title": {"text": "pipeline stage"}, "side": "bottom"},
            yaxis={"title": {"text": "tensor rank"}, "autorange": "reversed"},
            height=min(120 + 40 * tp, 520),
        ),
    }


def compare_steps(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several steps side by side, each stacked by cause (s)."""
    names = [str(d.get("scenario", f"#{i + 1}")) for i, d in enumerate(docs)]
    causes: list[str] = []
    for d in docs:
        causes += [k for k in d.get("breakdown", {}) if k not in causes]
    data = [
        {
            "type": "bar",
            "name": cause_label(k),
            "x": names,
            "y": [float(d.get("breakdown", {}).get(k, 0.0)) for d in docs],
            "marker": {"color": PALETTE[i % len(PALETTE)]},
            "hovertemplate": f"{cause_label(k)}: %{{y:.4g}} s<extra>%{{x}}</extra>",
        }
        for i, k in enumerate(causes)
    ]
    return {
        "data": data,
        "layout": base_layout(
            "Step split by cause",
            barmode="stack",
            yaxis={"title": {"text": "seconds per step (s)"}},
            height=420,
            legend={"orientation": "h", "y": -0.2, "traceorder": "normal"},
        ),
    }


def compare_memory(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Memory per chip of several estimates, stacked by kind (GiB)."""
    names = [str(d.get("scenario", f"#{i + 1}")) for i, d in enumerate(docs)]
    data = [
        {
            "type": "bar",
            "name": kind,
            "x": names,
            "y": [float(d.get("memory", {}).get(kind, 0.0)) / GIB for d in docs],
            "marker": {"color": PALETTE[i]},
            "hovertemplate": f"{kind}: %{{y:.3g}} GiB<extra>%{{x}}</extra>",
        }
        for i, kind in enumerate(MEMORY_KINDS)
    ]
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": "capacity",
            "x": names,
            "y": [float(d.get("memory_capacity_bytes") or 0.0) / GIB for d in docs],
            "marker": {"symbol": "line-ew-open", "size": 40, "color": "#333"},
            "hovertemplate": "capacity %{y:.3g} GiB<extra>%{x}</extra>",
        }
    )
    return {
        "data": data,
        "layout": base_layout(
            "Memory per chip",
            barmode="stack",
            yaxis={"title": {"text": "GiB per chip"}},
            height=420,
            legend={"orientation": "h", "y": -0.2, "traceorder": "normal"},
        ),
    }


def estimate_figures(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every figure of one estimate, by name."""
    return {
        "step": step_breakdown(doc),
        "memory": memory_stack(doc),
        "layout": layout_grid(doc),
    }


def compare_figures(docs: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every figure of a comparison, by name."""
    return {"step": compare_steps(docs), "memory": compare_memory(docs)}
