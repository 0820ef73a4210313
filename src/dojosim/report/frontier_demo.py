"""The demo's frontier section: DeepSeek-V3 (a 671 B mixture of experts, FP8) on five machines.

DeepSeek's own 2,048 H800, 1,024 B200, 16 GB200 NVL72 racks, a Dojo ExaPOD and a Dojo3-style
orbital cluster of AI5: days per trillion tokens, MFU and what limits the step. Every figure
comes from :func:`dojosim.estimate` on the built-in scenarios named here.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dojosim.perf.estimate import estimate

SCENARIOS = (
    ("2,048 H800 (DeepSeek's run)", "deepseek-v3-2048-h800"),
    ("1,024 B200", "deepseek-v3-1024-b200"),
    ("16 GB200 NVL72 racks", "deepseek-v3-1152-gb200-nvl72"),
    ("Dojo ExaPOD", "deepseek-v3-dojo-exapod"),
    ("Dojo3 / AI5 in orbit", "deepseek-v3-dojo3-ai5"),
)
DAY = 86400.0


def frontier_section() -> list[dict[str, Any]]:
    """One row per machine: days per trillion tokens, MFU, the bottleneck, the layout."""
    rows = []
    for label, name in SCENARIOS:
        e = estimate(name)
        rows.append(
            {
                "machine": label,
                "scenario": name,
                "chips": e.chips,
                "step_time_s": e.step_time_s,
                "days_per_trillion_tokens": 1e12 / e.tokens_per_s / DAY,
                "mfu": e.mfu,
                "bottleneck": e.bottleneck,
                "fits_in_memory": e.fits_in_memory,
                "layout": {
                    k: e.layout[k]
                    for k in ("tensor", "pipeline", "data", "expert", "schedule", "recompute")
                },
            }
        )
    return rows


def frontier_table(rows: list[dict[str, Any]]) -> Table:
    """The section as a rich table."""
    t = Table(title="frontier: DeepSeek-V3 (671 B MoE, 4K sequences, 15,360 per step)")
    for col in ("machine", "days / 1e12 tokens", "MFU", "bottleneck", "layout (TP PP DP EP)"):
        t.add_column(col, justify="right" if col in ("days / 1e12 tokens", "MFU") else "left")
    for r in rows:
        lay = r["layout"]
        fits = "" if r["fits_in_memory"] else " (does not fit)"
        t.add_row(
            r["machine"],
            f"{r['days_per_trillion_tokens']:.1f}",
            f"{r['mfu']:.1%}",
            r["bottleneck"] + fits,
            f"{lay['tensor']} {lay['pipeline']} {lay['data']} {lay['expert']} {lay['schedule']}",
        )
    return t


__all__ = ["frontier_section", "frontier_table"]
