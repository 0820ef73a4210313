"""The sweep file: a base scenario, axes by dotted path, a sampling mode and the outputs to keep.

```yaml
name: gpt3-scaling
base: gpt3-175b-1024-a100           # a built-in scenario name, a path, or an inline scenario
axes:                               # any scenario field, by dotted path
  chips: [256, 512, 1024]           #   a list of values,
  system.chip.memory_bandwidth: {low: "2 TB/s", high: "5 TB/s", log: true, num: 3}  # a range,
  workload:                         #   or named cases, each setting several fields at once
    small: {model: gpt3-13b, parallelism.global_batch: 512}
    large: {model: gpt3-175b}
  vars.usd_per_chip: ["20000 USD"]  # vars.NAME: a sweep variable for derive expressions
mode: grid                          # grid | random | lhs (ranges need num: in grid mode)
samples: 200                        # random / lhs: points drawn per combination of cases
seed: 0
outputs: [step_time_s, mfu]         # default: the estimate's main fields (+ site and cost)
derive:                             # outputs computed from other outputs, axes and vars
  usd_per_step: "step_time_s * chips * vars.usd_per_chip_s"
references:                         # named extra points (e.g. today's GPUs), run for every case
  h100: {system: dgx-h100}
```
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dojosim.errors import SpecError, nearest
from dojosim.explore.fields import field as field_of
from dojosim.explore.fields import parse_value

SWEEPS = Path(__file__).resolve().parent / "sweeps"
RESERVED = ("point", "reference", "status", "error")
TOP_KEYS = (
    "name",
    "description",
    "base",
    "axes",
    "mode",
    "samples",
    "seed",
    "outputs",
    "derive",
    "vars",
    "references",
)
Assignments = dict[str, Any]


@dataclass(frozen=True)
class ValuesAxis:
    """An axis of listed values; ``column`` holds each value as stored (SI floats for quantities)."""

    path: str
    values: tuple[Any, ...]
    column: tuple[Any, ...]


@dataclass(frozen=True)
class RangeAxis:
    """A numeric range: sampled (random, lhs) or ``num`` points (grid), evenly or log-spaced."""

    path: str
    low: float
    high: float
    log: bool
    integer: bool
    num: int | None


@dataclass(frozen=True)
class CaseAxis:
    """Named cases, each a set of field values; the column holds the case name."""

    name: str
    cases: tuple[tuple[str, Assignments], ...]


Axis = ValuesAxis | RangeAxis | CaseAxis


@dataclass(frozen=True)
class SweepSpec:
    """A parsed, checked sweep. ``raw`` is the mapping as written (with the base read in)."""

    name: str
    description: str
    base: dict[str, Any]
    axes: tuple[Axis, ...]
    mode: Literal["grid", "random", "lhs"]
    samples: int | None
    seed: int
    outputs: tuple[str, ...] | None
    derive: tuple[tuple[str, str], ...]
    vars: Assignments
    references: tuple[tuple[str, Assignments], ...]
    raw: dict[str, Any] = field(repr=False, compare=False)
    file: str | None = None

    @property
    def hash(self) -> str:
        """A digest of the spec and its base scenario: a results file belongs to one hash."""
        text = json.dumps(self.raw, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def axis_columns(self) -> tuple[str, ...]:
        return tuple(a.name if isinstance(a, CaseAxis) else a.path for a in self.axes)


def names() -> list[str]:
    """The built-in sweeps."""
    return sorted(p.stem for p in SWEEPS.glob("*.yaml"))


def sweep_path(ref: str | Path) -> str:
    """The file of a sweep: an existing path, or a built-in sweep's name (did-you-mean otherwise)."""
    p = Path(ref)
    if p.exists():
        return str(p)
    builtin = SWEEPS / f"{ref}.yaml"
    if builtin.is_file():
        return str(builtin)
    hint = nearest(str(ref), names())
    raise SpecError(
        "no such file, and no built-in sweep of that name"
        + (hint or f" (built-in sweeps: {', '.join(names())})"),
        file=str(ref),
    )


def _assignments(data: Any, where: str, file: str | None) -> Assignments:
    if not isinstance(data, dict):
        raise SpecError("expected a mapping of field paths to values", file=file, field=where)
    out: Assignments = {}
    for path, value in data.items():
        here = f"{where}.{path}"
        f = _field(str(path), here, file)
        out[str(path)] = _wrap(lambda f=f, v=value: parse_value(f, v, ""), here, file)
    return out


def _wrap(call: Any, where: str, file: str | None) -> Any:
    try:
        return call()
    except SpecError as exc:
        raise SpecError(exc.detail, file=file, field=where) from None


def _field(path: str, where: str, file: str | None) -> Any:
    return _wrap(lambda: field_of(path), where, file)


def _column(value: Any) -> Any:
    """How a listed value is stored: scalars as they are, sections as compact JSON."""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value


def _axis(key: str, data: Any, mode: str, file: str | None) -> Axis:
    where = f"axes.{key}"
    if isinstance(data, list):
        if not data:
            raise SpecError("empty axis: give at least one value", file=file, field=where)
        f = _field(key, where, file)
        values = tuple(
            _wrap(lambda v=v, i=i: parse_value(f, v, ""), f"{where}[{i}]", file)
            for i, v in enumerate(data)
        )
        return ValuesAxis(key, values, tuple(_column(v) for v in values))
    if isinstance(data, dict) and data and set(data) <= {"low", "high", "log", "num"}:
        return _range(key, data, mode, file)
    if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        if not key.isidentifier():
            raise SpecError(
                "an axis of named cases needs a plain name (it becomes the column)",
                file=file,
                field=where,
            )
        cases = tuple((str(n), _assignments(c, f"{where}.{n}", file)) for n, c in data.items())
        return CaseAxis(key, cases)
    if isinstance(data, dict) and not data:
        raise SpecError("empty axis: give at least one value", file=file, field=where)
    raise SpecError(
        "expected a list of values, a range {low, high, log, num}, or named cases "
        "{NAME: {field.path: value, ...}}",
        file=file,
        field=where,
    )


def _range(key: str, data: dict[str, Any], mode: str, file: str | None) -> RangeAxis:
    where = f"axes.{key}"
    f = _field(key, where, file)
    if not f.numeric:
        raise SpecError("a range needs a numeric field", file=file, field=where)
    for k in ("low", "high"):
        if k not in data:
            raise SpecError(f"a range needs {k}:", file=file, field=where)
    low = float(_wrap(lambda: parse_value(f, data["low"], ""), f"{where}.low", file))
    high = float(_wrap(lambda: parse_value(f, data["high"], ""), f"{where}.high", file))
    if low > high:
        raise SpecError(
            f"low ({data['low']}) is above high ({data['high']})", file=file, field=where
        )
    log = data.get("log", False)
    if not isinstance(log, bool):
        raise SpecError(f"log: expected true or false, got {log!r}", file=file, field=where)
    if log and low <= 0:
        raise SpecError("a log range needs low > 0", file=file, field=where)
    num = data.get("num")
    if num is not None and (isinstance(num, bool) or not isinstance(num, int) or num < 1):
        raise SpecError(f"num: expected a positive integer, got {num!r}", file=file, field=where)
    if mode == "grid" and num is None:
        raise SpecError(
            "a range in grid mode needs num: (points from low to high)", file=file, field=where
        )
    return RangeAxis(key, low, high, log, f.integer, num)


def _read_base(base: Any, file: str | None) -> dict[str, Any]:
    from dojosim.spec.loader import read_yaml
    from dojosim.spec.resolve import scenario_path

    if isinstance(base, dict):
        return base
    if not isinstance(base, str):
        raise SpecError(
            "expected a built-in scenario name, a path or an inline scenario",
            file=file,
            field="base",
        )
    ref = base
    if file is not None and not Path(base).is_absolute() and (Path(file).parent / base).exists():
        ref = str(Path(file).parent / base)
    try:
        path = scenario_path(ref)
    except SpecError as exc:
        raise SpecError(f"{base!r}: {exc.detail}", file=file, field="base") from None
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise SpecError("expected a mapping of fields", file=path)
    return data


def _simple(data: dict[str, Any], file: str | None) -> tuple[str, int | None, int]:
    mode = data.get("mode", "grid")
    if mode not in ("grid", "random", "lhs"):
        raise SpecError(
            f"expected grid, random or lhs, got {mode!r}{nearest(str(mode), ['grid', 'random', 'lhs'])}",
            file=file,
            field="mode",
        )
    samples = data.get("samples")
    if samples is not None and (
        isinstance(samples, bool) or not isinstance(samples, int) or samples < 1
    ):
        raise SpecError(f"expected a positive integer, got {samples!r}", file=file, field="samples")
    if mode != "grid" and samples is None:
        raise SpecError(f"mode {mode} needs samples: (points to draw)", file=file, field="samples")
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SpecError(f"expected a non-negative integer, got {seed!r}", file=file, field="seed")
    return mode, samples, seed


def _outputs(data: dict[str, Any], file: str | None) -> tuple[str, ...] | None:
    outputs = data.get("outputs")
    if outputs is None:
        return None
    if not isinstance(outputs, list) or not outputs or not all(isinstance(o, str) for o in outputs):
        raise SpecError("expected a non-empty list of output names", file=file, field="outputs")
    return tuple(outputs)


def _derive(data: dict[str, Any], file: str | None) -> tuple[tuple[str, str], ...]:
    from dojosim.explore.expr import Expression

    derive = data.get("derive") or {}
    if not isinstance(derive, dict):
        raise SpecError(
            "expected a mapping of output names to expressions", file=file, field="derive"
        )
    for k, v in derive.items():
        if not str(k).isidentifier() or not isinstance(v, str):
            raise SpecError(
                'expected NAME: "expression" with NAME an identifier',
                file=file,
                field=f"derive.{k}",
            )
        _wrap(lambda v=v: Expression(v), f"derive.{k}", file)
    return tuple((str(k), str(v)) for k, v in derive.items())


def parse_sweep(data: Any, *, file: str | None = None) -> SweepSpec:
    """Check a sweep mapping; every problem is one :class:`SpecError` naming the field."""
    if not isinstance(data, dict):
        raise SpecError("expected a mapping with base: and axes:", file=file)
    for key in data:
        if key not in TOP_KEYS:
            raise SpecError(
                f"unknown field{nearest(str(key), TOP_KEYS)}", file=file, field=str(key)
            )
    if "base" not in data:
        raise SpecError("missing (this field is required)", file=file, field="base")
    mode, samples, seed = _simple(data, file)
    base = _read_base(data["base"], file)
    axes_data = data.get("axes") or {}
    if not isinstance(axes_data, dict):
        raise SpecError("expected a mapping of field paths to values", file=file, field="axes")
    axes = tuple(_axis(str(k), v, mode, file) for k, v in axes_data.items())
    variables = data.get("vars") or {}
    if not isinstance(variables, dict):
        raise SpecError("expected a mapping of names to numbers", file=file, field="vars")
    var_values = _assignments({f"vars.{k}": v for k, v in variables.items()}, "vars", file)
    refs = data.get("references") or {}
    if not isinstance(refs, dict):
        raise SpecError(
            "expected named points {NAME: {field.path: value}}", file=file, field="references"
        )
    references = tuple((str(n), _assignments(r, f"references.{n}", file)) for n, r in refs.items())
    spec = SweepSpec(
        name=str(data.get("name") or (Path(file).stem if file else "sweep")),
        description=str(data.get("description", "")),
        base=base,
        axes=axes,
        mode=mode,  # type: ignore[arg-type]
        samples=samples,
        seed=seed,
        outputs=_outputs(data, file),
        derive=_derive(data, file),
        vars={k.removeprefix("vars."): v for k, v in var_values.items()},
        references=references,
        raw={**data, "base": base},
        file=file,
    )
    clash = [c for c in spec.axis_columns if c in RESERVED]
    if clash:
        raise SpecError(
            f"{clash[0]!r} is a reserved column name", file=file, field=f"axes.{clash[0]}"
        )
    return spec


def load_sweep(source: str | Path | dict[str, Any] | SweepSpec) -> SweepSpec:
    """A sweep from a file path, a built-in sweep name, a mapping, or a parsed spec."""
    from dojosim.spec.loader import read_yaml

    if isinstance(source, SweepSpec):
        return source
    if isinstance(source, dict):
        return parse_sweep(source)
    path = sweep_path(source)
    return parse_sweep(read_yaml(path), file=path)
