"""The tables of docs/orbital-network.md: the orbital scenarios and their what-ifs.

    python scripts/orbital_figures.py        # prints both tables as Markdown

Each what-if is a built-in scenario with one field of its optical tier's ``isl:`` (or its
system) changed; ``tests/perf/test_orbital_doc.py`` checks the doc quotes these rows.
"""

from __future__ import annotations

import copy
from typing import Any

from dojosim import catalog, estimate, scenarios

SCENARIOS = (
    ("llama3-8b-suncatcher-81", "81 × 64 TPU v6e"),
    ("gpt3-13b-starcloud-h100", "32 × 8 H100"),
    ("llama3-70b-dojo3-ai5", "81 × 32 AI5, what-if"),
)

# (label, scenario, system or None, isl fields, link fields)
WHAT_IFS: tuple[tuple[str, str, str | None, dict[str, Any], dict[str, Any]], ...] = (
    ("GPT-3 13B on 256 H100 on the ground (`dgx-h100`)", "gpt3-13b-starcloud-h100", "dgx-h100", {}, {}),
    ("Starcloud with 400 Gb/s terminals", "gpt3-13b-starcloud-h100", None, {}, {"line_rate": "400 Gb/s"}),
    ("Starcloud satellites 5,000 km apart", "gpt3-13b-starcloud-h100", None, {"distance": "5000 km"}, {}),
    ("Suncatcher with one spatial channel (9.6 Tb/s)", "llama3-8b-suncatcher-81", None, {}, {"spatial_channels": 1}),
    ("Suncatcher satellites 1,000 km apart", "llama3-8b-suncatcher-81", None, {"distance": "1000 km"}, {}),
    ("Suncatcher satellites 5,000 km apart", "llama3-8b-suncatcher-81", None, {"distance": "5000 km"}, {}),
    (
        "Dojo3 with Suncatcher-class terminals (24 × 400G × 4)",
        "llama3-70b-dojo3-ai5",
        None,
        {},
        {"line_rate": "400 Gb/s", "wdm_channels": 24, "spatial_channels": 4},
    ),
)  # fmt: skip


def _system_with(name: str, isl: dict[str, Any], link: dict[str, Any]) -> dict[str, Any]:
    """The raw catalog system ``name`` with its optical tier's isl: fields replaced."""
    data = copy.deepcopy(catalog.raw("system", name))
    tier = data["network"][-1]
    if "distance" in isl:
        tier["isl"].pop("formation", None)
    tier["isl"].update(isl)
    tier["isl"]["link"].update(link)
    return data


def scenario_rows() -> list[str]:
    """One Markdown row per orbital scenario: chips, step, MFU, tokens/s, layout, memory."""
    rows = []
    for name, what in SCENARIOS:
        e = estimate(name)
        lay = e.layout
        v = f" (v {lay['interleave']})" if lay["interleave"] > 1 else ""
        rows.append(
            f"| `{name}` ({what}) | {e.chips:,} | {e.step_time_s:.3f} s | {e.mfu:.1%} | "
            f"{e.tokens_per_s / 1e6:.2f} M | TP {lay['tensor']}, PP {lay['pipeline']}{v}, "
            f"DP {lay['data']}, ZeRO-{lay['zero']} | {e.bottleneck} | "
            f"{e.memory_per_chip_bytes / 1e9:.1f} GB |"
        )
    return rows


def what_if_rows() -> list[str]:
    """One Markdown row per what-if: step and MFU."""
    rows = []
    for label, name, system, isl, link in WHAT_IFS:
        raw = scenarios.raw(name)
        base = raw["system"]
        raw["system"] = system if system is not None else _system_with(base, isl, link)
        e = estimate(raw)
        rows.append(f"| {label} | {e.step_time_s:.3f} s | {e.mfu:.1%} |")
    return rows


def main() -> None:
    print("| scenario | chips | step | MFU | tokens/s | chosen layout | bottleneck | memory/chip |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(scenario_rows()))
    print()
    print("| change | step | MFU |")
    print("|---|---|---|")
    print("\n".join(what_if_rows()))


if __name__ == "__main__":
    main()
