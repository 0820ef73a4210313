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


def stacked(
    title: str,
    columns: list[str],
    series: Sequence[tuple[str, list[float]]],
    unit: str,
    axis: str,
    extra: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Bars stacked per column: one ``(name, values)`` series each, coloured in order."""
    data = [
        {
            "type": "bar",
            "name": name,
            "x": columns,
            "y": values,
            "marker": {"color": PALETTE[i % len(PALETTE)]},
            "hovertemplate": f"{name}: %{{y:,.4g}} {unit}<extra>%{{x}}</extra>",
        }
        for i, (name, values) in enumerate(series)
    ]
    return {
        "data": [*data, *extra],
        "layout": base_layout(
            title,
            barmode="stack",
            yaxis={"title": {"text": axis}},
            height=420,
            legend={"orientation": "h", "y": -0.2, "traceorder": "normal"},
        ),
    }


def cause_label(key: str) -> str:
    """``tensor_comm_s`` -> ``tensor comm``."""
    return key.removesuffix("_s").replace("_", " ")


def step_parts(doc: dict[str, Any]) -> list[tuple[str, float]]:
    """(cause, seconds) of the step; time the breakdown does not hold is shown as its own part.

    A job waiting on its data (the step set by ingest) spends the rest of the step there.
    """
    parts = [(cause_label(k), float(v)) for k, v in doc.get("breakdown", {}).items()]
    step = float(doc.get("step_time_s") or 0.0)
    rest = step - sum(v for _, v in parts)
    if step > 0 and rest > 1e-3 * step:
        exposed = (doc.get("ingest") or {}).get("exposed_ingest_s_per_step")
        parts.append(("waiting for data (ingest)" if exposed else "not split by cause", rest))
    return parts


def step_breakdown(doc: dict[str, Any]) -> dict[str, Any]:
    """The step split by cause: one horizontal bar per cause, seconds and share of the step."""
    parts = step_parts(doc)
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
    split = [dict(step_parts(d)) for d in docs]
    causes: list[str] = []
    for parts in split:
        causes += [k for k in parts if k not in causes]
    series = [(k, [parts.get(k, 0.0) for parts in split]) for k in causes]
    return stacked("Step split by cause", names, series, "s", "seconds per step (s)")


def compare_memory(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Memory per chip of several estimates, stacked by kind (GiB), with each chip's capacity."""
    names = [str(d.get("scenario", f"#{i + 1}")) for i, d in enumerate(docs)]
    series = [
        (kind, [float(d.get("memory", {}).get(kind, 0.0)) / GIB for d in docs])
        for kind in MEMORY_KINDS
    ]
    capacity = {
        "type": "scatter",
        "mode": "markers",
        "name": "capacity",
        "x": names,
        "y": [float(d.get("memory_capacity_bytes") or 0.0) / GIB for d in docs],
        "marker": {"symbol": "line-ew-open", "size": 40, "color": "#333"},
        "hovertemplate": "capacity %{y:.3g} GiB<extra>%{x}</extra>",
    }
    return stacked("Memory per chip", names, series, "GiB", "GiB per chip", [capacity])


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
