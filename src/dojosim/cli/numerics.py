"""`dojosim numerics ...` commands: ``formats``, ``info`` and ``train``.

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
from dojosim.errors import FormatError

DENORMALS_OPT = typer.Option(
    "ieee", "--denormals", help="Denormal scale of CFP formats: ieee (2^(1-bias)) or literal."
)


def parse_bias(text: str | None, allow_auto: bool) -> int | str | None:
    """``None``, ``"auto"`` (if allowed) or an integer; anything else is a FormatError."""
    if text is None:
        return None
    t = text.strip().lower()
    if allow_auto and t == "auto":
        return "auto"
    try:
        return int(t)
    except ValueError:
        want = "'auto' or an integer 0..63" if allow_auto else "an integer 0..63"
        raise FormatError(f"--bias must be {want}, got {text!r}") from None


def parse_int_bias(text: str | None) -> int | None:
    """An integer bias or ``None`` (no 'auto')."""
    value = parse_bias(text, allow_auto=False)
    return value if isinstance(value, int) else None


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
    format: str = typer.Argument(..., help="Format name, e.g. cfp8_143, cfp16_shp, bf16."),
    bias: str | None = typer.Option(None, "--bias", help="Exponent bias 0..63 (CFP formats)."),
    denormals: str = DENORMALS_OPT,
    codes: bool = typer.Option(False, "--codes", help="Also print the table of every code."),
    json: bool = JSON_OPT,
) -> None:
    """Print a format's largest, smallest normal and smallest denormal values."""
    from dojosim.numerics.codes import code_table
    from dojosim.numerics.formats import get_format

    fmt = get_format(format)
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
    rows = code_table(b) if codes else None
    if json:
        from dojosim.report.jsonout import print_json

        if rows is not None:
            doc["codes"] = rows
        print_json(doc)
        return
    out = sys.stdout
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


def train(
    format: str = typer.Option("cfp8_143", "--format", help="Format to store tensors in."),
    bias: str = typer.Option("auto", "--bias", help="'auto' (per tensor, per step) or 0..63."),
    baseline: str = typer.Option("fp32", "--baseline", help="Baseline: fp32 or bf16."),
    rounding: str = typer.Option("nearest", "--rounding", help="nearest or stochastic."),
    denormals: str = DENORMALS_OPT,
    epochs: int = typer.Option(25, "--epochs", help="Training epochs."),
    seed: int = typer.Option(0, "--seed", help="Seed for init, batches and rounding."),
    plot: str | None = typer.Option(None, "--plot", help="Write the curves to this image file."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Per-epoch progress on stderr."),
    json: bool = JSON_OPT,
) -> None:
    """Train a small MLP on scikit-learn's digits in a format, next to an FP32/BF16 baseline."""
    from dojosim.numerics.train_config import TrainConfig, check_config

    parsed = parse_bias(bias, allow_auto=True)
    cfg = TrainConfig(
        format=format,
        bias=parsed if parsed is not None else "auto",
        baseline=baseline,
        rounding=rounding,
        denormals=denormals,
        epochs=epochs,
        seed=seed,
    )
    check_config(cfg)  # before the slow imports of torch and scikit-learn
    from dojosim.numerics import train as tr

    sys.stderr.write(
        f"training {cfg.baseline} and {cfg.format} (bias {cfg.bias}) for {cfg.epochs} epochs...\n"
    )

    def log(msg: str) -> None:
        sys.stderr.write(msg + "\n")

    result = tr.train(cfg, log=log if verbose else None)
    if plot:
        tr.plot(result, plot)
        sys.stderr.write(f"wrote {plot}\n")
    if json:
        from dojosim.report.jsonout import print_json

        print_json(result)
        return
    _print_train_table(result)


def _print_train_table(result: dict) -> None:
    base, run = result["curves"]["baseline"], result["curves"]["format"]
    bl, fl = base["label"], run["label"]
    out = sys.stdout
    out.write(f"{result['model']}; {result['dataset']}\n\n")
    out.write(f"{'':5s}  {bl:^24s}  {fl:^24s}\n")
    out.write(
        f"{'epoch':>5s}  {'test loss':>11s} {'accuracy':>12s}  {'test loss':>11s} {'accuracy':>12s}\n"
    )
    for i, (bls, bac, fls, fac) in enumerate(
        zip(
            base["test_loss"],
            base["test_accuracy"],
            run["test_loss"],
            run["test_accuracy"],
            strict=True,
        ),
        start=1,
    ):
        out.write(f"{i:5d}  {bls:11.4f} {bac:11.2%}  {fls:11.4f} {fac:11.2%}\n")
    out.write(
        f"\nfinal accuracy: {fl} {result['final_accuracy']:.2%}, {bl} "
        f"{result['baseline_final_accuracy']:.2%} (gap {result['accuracy_gap_points']:+.2f} "
        f"points); {result['seconds']} s\n"
    )
    if run["biases"]:
        used = ", ".join(f"{k}={v}" for k, v in run["biases"].items())
        out.write(f"biases at the last step: {used}\n")


def register(app: typer.Typer) -> None:
    """Add the numerics commands to the main CLI."""
    numerics_app = typer.Typer(
        help="Dojo's CFP8/CFP16 number formats: inspect them, train in them.",
        no_args_is_help=True,
    )
    numerics_app.command("formats")(formats)
    numerics_app.command("info")(info)
    numerics_app.command("train")(train)
    app.add_typer(numerics_app, name="numerics")
