"""Plots of stored results: an interactive HTML page (Plotly, its JavaScript inlined, so it
opens offline) or a PNG (matplotlib). One panel per value of ``by``; the Pareto front drawn
as a line; reference points (``reference`` column) as labelled stars."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dojosim.errors import SpecError, nearest

PLOT_KEYS = ("x", "y", "color", "by", "log")


def parse_plot(text: str, columns: list[str]) -> dict[str, str]:
    """``"x=chips,y=mfu,color=system,log=xy"`` as a mapping; each column must exist."""
    out: dict[str, str] = {}
    for item in [s.strip() for s in text.split(",") if s.strip()]:
        key, eq, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or key not in PLOT_KEYS:
            raise SpecError(
                f"expected KEY=VALUE with KEY one of {', '.join(PLOT_KEYS)}, got {item!r}"
                + nearest(key, PLOT_KEYS),
                field="--plot",
            )
        if key == "log":
            if set(value) - {"x", "y"}:
                raise SpecError(f"log=: expected x, y or xy, got {value!r}", field="--plot")
        elif value not in columns:
            raise SpecError(f"{key}=: no column {value!r}{nearest(value, columns)}", field="--plot")
        out[key] = value
    for need in ("x", "y"):
        if need not in out:
            raise SpecError(f"give {need}=COLUMN", field="--plot")
    return out


@dataclass(frozen=True)
class _Opts:
    """What to draw: the axes' columns, the colour and panel columns, log axes, hover, title."""

    x: str
    y: str
    color: str | None
    by: str | None
    log: str
    hover: list[str]
    title: str


def _groups(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _numeric_color(values: list[Any]) -> bool:
    nums = [v for v in values if v is not None]
    kinds = all(isinstance(v, int | float) and not isinstance(v, bool) for v in nums)
    return bool(nums) and kinds and len(set(nums)) > 10


def _rows(table: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def plot(
    table: Any,
    out: str | Path,
    *,
    x: str,
    y: str,
    color: str | None = None,
    by: str | None = None,
    log: str = "",
    front: Any = None,
    hover: list[str] | None = None,
    title: str = "",
) -> Path:
    """Draw ``y`` against ``x`` into ``out`` (.html or .png); returns the file written."""
    p = Path(out)
    suffix = p.suffix.lower()
    if suffix not in (".html", ".png"):
        raise SpecError(f"a plot is .html or .png, got {suffix or 'no suffix'!r}", field="--out")
    if p.parent and not p.parent.exists():
        raise SpecError(f"the folder {str(p.parent)!r} does not exist", field="--out")
    rows = [r for r in _rows(table) if r.get("status", "ok") == "ok"]
    front_rows = _rows(front) if front is not None else []
    import importlib.util

    lib = "plotly" if suffix == ".html" else "matplotlib"
    if importlib.util.find_spec(lib) is None:
        raise SpecError(
            f"a {suffix} plot needs {lib}: pip install 'dojosim[explore]'", field="--out"
        )
    draw = _html if suffix == ".html" else _png
    draw(rows, front_rows, p, _Opts(x, y, color, by, log, hover or [], title))
    return p


def _split(rows: list[dict[str, Any]], by: str | None) -> list[tuple[Any, list[dict[str, Any]]]]:
    if by is None:
        return [(None, rows)]
    return [(g, [r for r in rows if r.get(by) == g]) for g in _groups([r.get(by) for r in rows])]


def _by_color(
    design: list[dict[str, Any]], color: str | None, numeric: bool
) -> list[tuple[Any, list[dict[str, Any]]]]:
    """The design points in one group per colour value (one group for none or a numeric colour)."""
    if color is None or numeric:
        return [(None, design)]
    return [
        (c, [r for r in design if r.get(color) == c])
        for c in _groups([r.get(color) for r in design])
    ]


def _front_of(front: list[dict[str, Any]], by: str | None, g: Any, x: str) -> list[dict[str, Any]]:
    """The front's points in panel ``g``, in order of ``x`` (to draw as a line)."""
    pts = [r for r in front if (by is None or r.get(by) == g) and r.get(x) is not None]
    return sorted(pts, key=lambda r: float(r[x]))


def _hover(r: dict[str, Any], keys: list[str]) -> str:
    parts = [f"{k} = {r.get(k)}" for k in keys if k in r]
    return "<br>".join(parts)


def _html(rows: list[dict[str, Any]], front: list[dict[str, Any]], p: Path, o: _Opts) -> None:
    x, y, color, by, log = o.x, o.y, o.color, o.by, o.log
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    facets = _split(rows, by)
    fig = make_subplots(
        rows=1, cols=len(facets), subplot_titles=[f"{by} = {g}" for g, _ in facets] if by else None
    )
    keys = list(dict.fromkeys(["point", "reference", x, y, *([color] if color else []), *o.hover]))
    numeric = color is not None and _numeric_color([r.get(color) for r in rows])
    shown: set[Any] = set()

    def add(pts: list[dict[str, Any]], group: str, col: int, **style: Any) -> None:
        """One trace of ``pts`` in panel ``col``; its legend entry once per ``group``."""
        fig.add_trace(
            go.Scatter(
                x=[r.get(x) for r in pts],
                y=[r.get(y) for r in pts],
                legendgroup=group,
                showlegend=group not in shown,
                hovertext=[_hover(r, keys) for r in pts],
                hoverinfo="text",
                **style,
            ),
            row=1,
            col=col,
        )
        shown.add(group)

    for col, (g, part) in enumerate(facets, start=1):
        design = [r for r in part if r.get("reference") is None]
        refs = [r for r in part if r.get("reference") is not None]
        for c, sel in _by_color(design, color, numeric):
            marker: dict[str, Any] = {"size": 6, "opacity": 0.7}
            if numeric and color:
                marker.update(
                    color=[r.get(color) for r in sel],
                    colorscale="Viridis",
                    showscale=col == 1,
                    colorbar={"title": color},
                )
            name = "points" if c is None else f"{color} = {c}"
            add(sel, name, col, mode="markers", marker=marker, name=name)
        pf = _front_of(front, by, g, x)
        if pf:
            style = {"line": {"color": "crimson"}, "marker": {"color": "crimson", "size": 7}}
            add(pf, "front", col, mode="lines+markers", name="Pareto front", **style)
        if refs:
            star = {"symbol": "star", "size": 14, "color": "black"}
            text = [r["reference"] for r in refs]
            add(refs, "refs", col, mode="markers+text", marker=star, text=text,
                textposition="top center", name="references")  # fmt: skip
        fig.update_xaxes(title_text=x, type="log" if "x" in log else None, row=1, col=col)
        fig.update_yaxes(title_text=y, type="log" if "y" in log else None, row=1, col=col)
    fig.update_layout(title=o.title or f"{y} against {x}", template="plotly_white")
    # include_plotlyjs=True inlines plotly.js from the installed package: no network needed.
    fig.write_html(p, include_plotlyjs=True, full_html=True, include_mathjax=False)


def _png(rows: list[dict[str, Any]], front: list[dict[str, Any]], p: Path, o: _Opts) -> None:
    x, y, color, by, log = o.x, o.y, o.color, o.by, o.log
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    facets = _split(rows, by)
    fig, axes = plt.subplots(1, len(facets), figsize=(6.4 * len(facets), 4.8), squeeze=False)
    numeric = color is not None and _numeric_color([r.get(color) for r in rows])
    for ax, (g, part) in zip(axes[0], facets, strict=True):
        design = [r for r in part if r.get("reference") is None]
        refs = [r for r in part if r.get("reference") is not None]
        if numeric and color:
            sc = ax.scatter(
                [r.get(x) for r in design],
                [r.get(y) for r in design],
                s=12,
                alpha=0.7,
                c=[r.get(color) for r in design],
                cmap="viridis",
            )
            fig.colorbar(sc, ax=ax, label=color)
        else:
            for c, sel in _by_color(design, color, numeric):
                ax.scatter(
                    [r.get(x) for r in sel],
                    [r.get(y) for r in sel],
                    s=12,
                    alpha=0.7,
                    label=None if c is None else f"{color} = {c}",
                )
        pf = _front_of(front, by, g, x)
        if pf:
            ax.plot(
                [r.get(x) for r in pf],
                [r.get(y) for r in pf],
                "-o",
                color="crimson",
                ms=4,
                label="Pareto front",
            )
        for r in refs:
            ax.scatter([r.get(x)], [r.get(y)], marker="*", s=160, color="black", zorder=5)
            ax.annotate(
                str(r["reference"]),
                (r.get(x), r.get(y)),
                textcoords="offset points",
                xytext=(4, 6),
                fontsize=8,
            )
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        if "x" in log:
            ax.set_xscale("log")
        if "y" in log:
            ax.set_yscale("log")
        if by:
            ax.set_title(f"{by} = {g}")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.suptitle(o.title or f"{y} against {x}")
    fig.tight_layout()
    fig.savefig(p, dpi=120)
    plt.close(fig)
