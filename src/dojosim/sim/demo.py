"""The demo's goodput line: the same kind of fleet on Earth and in orbit, one line each way."""

from __future__ import annotations

from typing import Any

#: (label, built-in scenario, runs): a short Monte Carlo of each (seed 0).
CASES = (
    ("Earth", "llama3-405b-16k-h100-goodput", 20),
    ("orbit", "suncatcher-81-5y-goodput", 5),
)


def goodput_summary() -> dict[str, Any]:
    """ETTR, interruptions and (in orbit) capacity and cost factor of the two built-in cases."""
    from dojosim.sim.goodput import goodput

    out: dict[str, Any] = {}
    for label, name, runs in CASES:
        d = goodput(name, runs=runs, seed=0, sweep_runs=0).as_dict()
        row = {
            "scenario": name,
            "runs": runs,
            "chips": d["chips"],
            "days": d["duration_s"] / 86400.0,
            "ettr": d["ettr"]["mean"],
            "interruptions": d["interruptions"],
        }
        if d["orbit"]:
            row["capacity_end"] = d["orbit"]["capacity_end"]
            row["cost_per_delivered_flop_factor"] = d["orbit"]["cost_per_delivered_flop_factor"]
        out[label.lower()] = row
    return out


def goodput_line(summary: dict[str, Any]) -> str:
    """One line of text for :func:`goodput_summary`."""
    parts = []
    for label, key in (("Earth", "earth"), ("orbit", "orbit")):
        r = summary[key]
        text = (
            f"{label} ({r['scenario']}, {r['chips']:,} chips, {r['days']:,.0f} d): "
            f"ETTR {r['ettr']:.1%}, {r['interruptions']:,.0f} interruptions"
        )
        if "capacity_end" in r:
            text += (
                f", capacity at the end {r['capacity_end']:.0%}, cost per delivered FLOP "
                f"x{r['cost_per_delivered_flop_factor']:.2f}"
            )
        parts.append(text)
    return "goodput: " + "; ".join(parts)
