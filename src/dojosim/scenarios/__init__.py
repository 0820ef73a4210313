"""Built-in scenarios: the demo's jobs, usable by name wherever a scenario file is accepted."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent

DEMO = ("gpt3-175b-1024-a100", "gpt3-175b-1024-h100", "llama3-70b-1024-h100")


def names() -> list[str]:
    return sorted(p.stem for p in ROOT.glob("*.yaml"))


def path(name: str) -> Path | None:
    p = ROOT / f"{name}.yaml"
    return p if p.is_file() else None
