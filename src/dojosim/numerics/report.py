"""Text and Markdown renderings of ``compare`` results and of the training benchmark.

Everything here is a pure function of a result document, so the tables quoted in
README.md and docs/numerics.md can be re-rendered from the saved benchmark results
(``benchmarks/results/numerics_train.json``) and checked by a test.
"""

from __future__ import annotations

from typing import Any

METRIC = {"video": "val MSE", "charlm": "val nats/char", "mlp": "test loss"}


def table(doc: dict[str, Any]) -> str:
    """A ``compare`` result as a fixed-width text table (what ``compare`` prints)."""
    metric = METRIC[doc["model"]]
    lines = [
        f"{doc['model']}: {doc['steps']} steps, seed {doc['seed']}",
        f"  data:  {doc['dataset']}",
        f"  model: {doc['description']}",
        "",
        f"{'format':22s} {metric:>14s} {'vs BF16':>9s} {'wall s':>7s} {'CPU s':>7s}",
    ]
    for r in doc["runs"]:
        lines.append(
            f"{r['label']:22s} {r['final_loss']:14.5f} {100 * r['vs_reference']:+8.2f}% "
            f"{r['seconds']:7.0f} {r['cpu_seconds']:7.0f}"
        )
    if "copy_last_loss" in doc:
        gap = doc["copy_last_loss"] / reference(doc)["final_loss"] - 1.0
        lines.append(f"{'copy last frame':22s} {doc['copy_last_loss']:14.5f} {100 * gap:+8.2f}%")
    lines += ["", "formats:"]
    lines += [f"  {r['label']:20s} {r['recipe']}" for r in doc["runs"]]
    lines.append(
        f"total: {doc['seconds']:.0f} s wall, {doc['cpu_seconds']:.0f} s CPU, "
        f"{doc['jobs']} run(s) at a time, one thread each"
    )
    return "\n".join(lines)


def reference(doc: dict[str, Any]) -> dict[str, Any]:
    """The run every gap is measured against (BF16)."""
    return next(r for r in doc["runs"] if r["label"] == doc["reference"])


def markdown_results(docs: dict[str, dict[str, Any]]) -> str:
    """Final held-out loss per format, one column pair per model (``docs``: model -> result)."""
    models = list(docs)
    head = "| format | " + " | ".join(f"{m}: {METRIC[m]} | vs BF16" for m in models) + " |"
    lines = [head, "|---|" + "---:|---:|" * len(models)]
    labels = list(dict.fromkeys(r["label"] for d in docs.values() for r in d["runs"]))
    for label in labels:
        cells = []
        for m in models:
            run = next((r for r in docs[m]["runs"] if r["label"] == label), None)
            cells += (
                [f"{run['final_loss']:.5f}", f"{100 * run['vs_reference']:+.2f} %"]
                if run
                else ["", ""]
            )
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    for m in models:
        if "copy_last_loss" in docs[m]:
            gap = docs[m]["copy_last_loss"] / reference(docs[m])["final_loss"] - 1.0
            cells = []
            for k in models:
                shown = k == m
                cells += (
                    [f"{docs[m]['copy_last_loss']:.5f}", f"{100 * gap:+.2f} %"]
                    if shown
                    else ["", ""]
                )
            lines.append("| copy last frame | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_timings(models: dict[str, dict[str, Any]]) -> str:
    """Run times of ``train`` and ``compare`` per model from the benchmark's record."""
    lines = [
        "| command | wall | CPU (all processes) | load average before → after |",
        "|---|---:|---:|---|",
    ]
    for rec in models.values():
        for kind in ("train", "compare"):
            t = rec[kind]["timing"]
            lines.append(
                f"| `{rec[kind]['command']}` | {t['wall_s'] / 60:.1f} min | "
                f"{t['cpu_s'] / 60:.1f} min | {t['load_before']:.1f} → {t['load_after']:.1f} |"
            )
    return "\n".join(lines)


SEED_LABELS = {"cfp8 bias=auto": "CFP8 (Dojo)", "fp8 amax": "OCP FP8 (amax)"}


def markdown_seeds(models: dict[str, dict[str, Any]]) -> str:
    """BF16's final loss and the gaps of CFP8 (Dojo) and OCP FP8 to it, seed by seed.

    Seed 0 comes from each model's comparison, further seeds from its ``seeds`` record.
    """
    head = " | ".join(f"{v} vs BF16" for v in SEED_LABELS.values())
    lines = [f"| model | seed | BF16 | {head} |", "|---|---:|---:|" + "---:|" * len(SEED_LABELS)]
    for model, rec in models.items():
        finals = {"0": {r["label"]: r["final_loss"] for r in rec["compare"]["result"]["runs"]}}
        finals |= {s: v["final_loss"] for s, v in sorted(rec.get("seeds", {}).items())}
        gaps: dict[str, list[float]] = {k: [] for k in SEED_LABELS}
        for seed, f in finals.items():
            cells = []
            for k in SEED_LABELS:
                gaps[k].append(f[k] / f["bf16"] - 1.0)
                cells.append(f"{100 * gaps[k][-1]:+.2f} %")
            lines.append(f"| {model} | {seed} | {f['bf16']:.5f} | " + " | ".join(cells) + " |")
        if len(finals) > 1:
            mean = [f"{100 * sum(g) / len(g):+.2f} %" for g in gaps.values()]
            lines.append(f"| {model} | mean of {len(finals)} | | " + " | ".join(mean) + " |")
    return "\n".join(lines)
