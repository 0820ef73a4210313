"""`dojosim numerics ...` commands: ``formats``, ``info``, ``train`` and ``compare``.

Commands parse options, call the library and print; bad input raises
:class:`~dojosim.errors.FormatError`, which ``dojosim.cli.main`` turns into one line
on stderr and exit code 2. NumPy and torch are imported inside the commands so
that registering them costs nothing.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import typer

from dojosim.cli.common import JSON_OPT
from dojosim.errors import DojosimError, FormatError

DENORMALS_OPT = typer.Option(
    "ieee", "--denormals", help="Denormal scale of CFP formats: ieee (2^(1-bias)) or literal."
)


def parse_int_bias(text: str | None) -> int | None:
    """An integer bias or ``None``; anything else is a FormatError."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise FormatError(f"--bias must be an integer 0..63, got {text!r}") from None


def _num(v: float) -> str:
    """A value with its power of two when it is one: '0.015625 (2^-6)'."""
    if v == 0 or not math.isfinite(v):
        return str(v)
    text = f"{v:.10g}"
    mant, exp = math.frexp(v)
    if mant == 0.5:
        return f"{text} (2^{exp - 1})"
    return text


def info(
    format: str = typer.Argument(
        ..., help="Format name, e.g. cfp8_143, cfp16_shp, bf16 (cfp8 reads as cfp8_143)."
    ),
    bias: str | None = typer.Option(None, "--bias", help="Exponent bias 0..63 (CFP formats)."),
    denormals: str = DENORMALS_OPT,
    codes: bool = typer.Option(False, "--codes", help="Also print the table of every code."),
    json: bool = JSON_OPT,
) -> None:
    """Print a format's largest, smallest normal and smallest denormal values."""
    from dojosim.numerics.codes import code_table
    from dojosim.numerics.formats import resolve_family

    fmt, note = resolve_family(format)
    b = fmt.bind(parse_int_bias(bias), denormals)
    specials = {
        "saturate": "no Inf/NaN: overflow, ±Inf and NaN saturate to ±largest",
        "ieee": "top exponent is Inf/NaN; overflow rounds to Inf",
        "nan_only": "no Inf; S.1111.111 is NaN; overflow gives NaN",
    }[fmt.specials]
    doc: dict[str, Any] = {
        "format": fmt.name,
        "title": fmt.title,
        "bits": fmt.bits,
        "signed": fmt.signed,
        "exponent_bits": fmt.exponent_bits,
        "mantissa_bits": fmt.mantissa_bits,
        "bias": b.bias,
        "configurable_bias": fmt.configurable_bias,
        "denormals": b.denormals,
        "largest": b.max_value,
        "smallest_normal": b.min_normal,
        "smallest_denormal": b.min_denormal,
        "largest_denormal": b.max_denormal,
        "specials": specials,
        "source": fmt.source,
    }
    if note:
        doc |= {"requested": format, "note": note}
    rows = code_table(b) if codes else None
    if json:
        from dojosim.report.jsonout import print_json

        if rows is not None:
            doc["codes"] = rows
        print_json(doc)
        return
    out = sys.stdout
    if note:
        out.write(f"note: {note}\n")
    out.write(b.describe() + "\n")
    scale = "2^(1-bias)" if b.denormals == "ieee" else "2^(-bias), as the whitepaper writes it"
    if fmt.is_cfp:
        out.write(f"  denormals          {b.denormals}: 0.f × {scale}\n")
    out.write(f"  largest            {_num(b.max_value)}\n")
    out.write(f"  smallest normal    {_num(b.min_normal)}\n")
    out.write(f"  smallest denormal  {_num(b.min_denormal)}\n")
    out.write(f"  largest denormal   {_num(b.max_denormal)}\n")
    out.write(f"  specials           {specials}\n")
    out.write(f"  source             {fmt.source}\n")
    if rows is not None:
        width = (fmt.bits + 3) // 4
        out.write(
            f"\n  {'code':>{width + 2}s}  {'s':1s} {'exp':>3s} {'mant':>5s}  class     value\n"
        )
        for r in rows:
            out.write(
                f"  0x{r['code']:0{width}x}  {r['sign']:1d} {r['exponent']:3d} {r['mantissa']:5d}"
                f"  {r['class']:8s}  {r['value']!r}\n"
            )


def formats(json: bool = JSON_OPT) -> None:
    """List the number formats: sign+exponent+mantissa bits, default bias, largest value."""
    from dojosim.numerics.formats import FORMATS

    rows: list[dict[str, Any]] = [
        {
            "format": f.name,
            "title": f.title,
            "bits": f.bits,
            "signed": f.signed,
            "exponent_bits": f.exponent_bits,
            "mantissa_bits": f.mantissa_bits,
            "bias": f.bias,
            "configurable_bias": f.configurable_bias,
            "largest_at_default_bias": f.bind().max_value,
        }
        for f in FORMATS.values()
    ]
    if json:
        from dojosim.report.jsonout import print_json

        print_json(rows)
        return
    for r in rows:
        bias = f"bias {r['bias']}" + (" (0..63)" if r["configurable_bias"] else "")
        fields = f"{int(r['signed'])}+{r['exponent_bits']}+{r['mantissa_bits']}"
        sys.stdout.write(
            f"{r['format']:10s} {r['title']:15s} {fields:8s} {bias:16s} "
            f"largest {r['largest_at_default_bias']:.6g}\n"
        )


FORMAT_HELP = (
    "Format to store tensors in: cfp8 (Dojo: 1-4-3 weights/activations, 1-5-2 gradients), "
    "fp8 (OCP E4M3/E5M2, amax scaling), cfp16, bf16, fp32, or one format name such as "
    "cfp8_143. Default: cfp8_143 for mlp, cfp8 for video and charlm."
)
BIAS_HELP = (
    "'auto' (per tensor, each step), 'first' (per tensor, chosen at the first step, then "
    "fixed), N (every tensor) or N,M (forward tensors, gradients)."
)
MODEL_HELP = "mlp (8x8 digits), video (next-frame prediction) or charlm (character LM)."
JOBS_HELP = "Runs side by side, one thread each (default: 2 on 2+ cores; 1 for mlp)."


def train(
    model: str = typer.Option("mlp", "--model", help=MODEL_HELP),
    format: str | None = typer.Option(None, "--format", help=FORMAT_HELP),
    bias: str = typer.Option("auto", "--bias", help=BIAS_HELP),
    baseline: str | None = typer.Option(
        None, "--baseline", help="fp32 or bf16 (default: fp32 for mlp, bf16 otherwise)."
    ),
    rounding: str = typer.Option(
        "nearest", "--rounding", help="Rounding of gradients: nearest or stochastic."
    ),
    denormals: str = DENORMALS_OPT,
    steps: int | None = typer.Option(
        None, "--steps", help="Optimizer steps (default: video 2000, charlm 600, mlp 25 epochs)."
    ),
    epochs: int | None = typer.Option(None, "--epochs", help="Epochs (mlp only; default 25)."),
    seed: int = typer.Option(0, "--seed", help="Seed for init, batches and rounding."),
    jobs: int | None = typer.Option(None, "--jobs", help=JOBS_HELP),
    plot: str | None = typer.Option(None, "--plot", help="Write the curves to this image file."),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="A line per evaluation point on stderr."
    ),
    json: bool = JSON_OPT,
) -> None:
    """Train a model with its tensors stored in a format, next to an FP32/BF16 baseline."""
    from dojosim.numerics.recipes import parse_bias as parse_recipe_bias
    from dojosim.numerics.train_config import TrainConfig, resolve

    parsed = parse_recipe_bias(bias)
    cfg = TrainConfig(
        model=model.strip().lower(),
        format=format,
        bias=parsed if parsed is not None else "auto",
        baseline=baseline,
        rounding=rounding,
        denormals=denormals,
        steps=steps,
        epochs=epochs,
        seed=seed,
        jobs=jobs,
    )
    run_recipe, base_recipe = resolve(cfg)  # before the slow imports of torch and the data
    _require_extra()
    from dojosim.numerics import train as tr

    length = f"{steps} steps" if steps else (f"{epochs} epochs" if epochs else "default length")
    sys.stderr.write(
        f"training {cfg.model}: {base_recipe.label} and {run_recipe.label}, {length}...\n"
    )
    result = tr.train(cfg, log=_stderr, verbose=verbose)
    if plot:
        tr.plot(result, plot)
        sys.stderr.write(f"wrote {plot}\n")
    if json:
        from dojosim.report.jsonout import print_json

        print_json(result)
        return
    _print_train_table(result)


def _require_extra() -> None:
    """A clear error, not an ImportError, when the numerics extra is not installed."""
    import importlib.util

    missing = [m for m in ("torch", "sklearn", "matplotlib") if importlib.util.find_spec(m) is None]
    if missing:
        raise DojosimError(f"training needs {', '.join(missing)}: pip install 'dojosim[numerics]'")


def _stderr(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def _print_train_table(result: dict) -> None:
    base, run = result["curves"]["baseline"], result["curves"]["format"]
    bl, fl = base["label"], run["label"]
    out = sys.stdout
    out.write(f"{result['description']}; {result['dataset']}\n\n")
    mlp = result["model"] == "mlp"
    unit = "epoch" if mlp else "step"
    width = 24 if mlp else 14
    out.write(f"{'':6s}  {bl:^{width}s}  {fl:^{width}s}\n")
    head = f"{'loss':>11s} {'accuracy':>12s}" if mlp else f"{'loss':>14s}"
    out.write(f"{unit:>6s}  {head}  {head}\n")
    per_epoch = result.get("steps_per_epoch", 1)
    for i, step in enumerate(base["steps"]):
        mark = f"{step / per_epoch:g}" if mlp else str(step)
        cells = []
        for c in (base, run):
            loss = c["metrics"]["loss"][i]
            if mlp:
                cells.append(f"{loss:11.4f} {c['metrics']['accuracy'][i]:11.2%}")
            else:
                cells.append(f"{loss:14.5f}")
        out.write(f"{mark:>6s}  {cells[0]}  {cells[1]}\n")
    gap = 100 * result["relative_gap"]
    out.write(
        f"\nfinal loss: {fl} {result['final_loss']:.5g}, {bl} {result['baseline_final_loss']:.5g} "
        f"({gap:+.2f} %)"
    )
    if "copy_last_loss" in result:
        out.write(f"; copy last frame {result['copy_last_loss']:.5g}")
    out.write(f"; {result['seconds']} s\n")
    if mlp:
        out.write(
            f"final accuracy: {fl} {result['final_accuracy']:.2%}, {bl} "
            f"{result['baseline_final_accuracy']:.2%} (gap {result['accuracy_gap_points']:+.2f} "
            f"points)\n"
        )
    if run["biases"]:
        used = ", ".join(f"{k}={v}" for k, v in run["biases"].items())
        out.write(f"biases at the last step: {used}\n")


def compare(
    model: str = typer.Option("video", "--model", help=MODEL_HELP),
    steps: int | None = typer.Option(
        None, "--steps", help="Optimizer steps per run (default: video 2000, charlm 600)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for init, batches and rounding."),
    formats: str | None = typer.Option(
        None, "--formats", help="Comma-separated rows to run (default: all), e.g. 'bf16,cfp8'."
    ),
    jobs: int | None = typer.Option(None, "--jobs", help=JOBS_HELP),
    plot: str | None = typer.Option(
        None, "--plot", help="Image file for the curves (default numerics-compare-MODEL.png)."
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="A line per evaluation point on stderr."
    ),
    json: bool = JSON_OPT,
) -> None:
    """Train every format of the comparison on one model; print one table and write one plot."""
    from dojosim.numerics import compare as cmp
    from dojosim.numerics import report
    from dojosim.numerics.train_config import check_count, check_model

    name = model.strip().lower()
    check_model(name)
    check_count("steps", steps)
    check_count("jobs", jobs)
    chosen = cmp.recipes([f.strip() for f in formats.split(",") if f.strip()] if formats else None)
    _require_extra()
    path = plot or f"numerics-compare-{name}.png"
    sys.stderr.write(f"comparing {len(chosen)} formats on {name}...\n")
    doc = cmp.compare(
        name, steps, seed, [r.label for r in chosen], jobs, log=_stderr, verbose=verbose
    )
    cmp.plot(doc, path)
    sys.stderr.write(f"wrote {path}\n")
    if json:
        from dojosim.report.jsonout import print_json

        print_json(doc)
        return
    sys.stdout.write(report.table(doc) + "\n")


def register(app: typer.Typer) -> None:
    """Add the numerics commands to the main CLI."""
    numerics_app = typer.Typer(
        help="Dojo's CFP8/CFP16 number formats: inspect them, train in them.",
        no_args_is_help=True,
    )
    numerics_app.command("formats")(formats)
    numerics_app.command("info")(info)
    numerics_app.command("train")(train)
    numerics_app.command("compare")(compare)
    app.add_typer(numerics_app, name="numerics")
