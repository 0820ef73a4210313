"""The command line. It parses options, calls library functions and prints; nothing else.

Errors caused by input are :class:`~dojosim.errors.DojosimError`; ``main`` turns
each into one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys

import typer

from dojosim.errors import DojosimError
from dojosim.report.jsonout import print_json

app = typer.Typer(
    name="dojosim",
    help="A digital twin of AI training systems, from the chip to the orbit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(
    help="List and show catalog entries with their sources.", no_args_is_help=True
)
app.add_typer(catalog_app, name="catalog")

JSON_OPT = typer.Option(False, "--json", help="Print one JSON document on stdout.")


def _scenario_source(ref: str) -> str:
    """A scenario file path, or a built-in scenario's path when ``ref`` names one."""
    from pathlib import Path

    from dojosim import scenarios

    if Path(ref).exists():
        return ref
    builtin = scenarios.path(ref)
    return str(builtin) if builtin else ref


@app.command()
def estimate(
    scenario: str = typer.Argument(..., help="Scenario YAML file, or a built-in scenario name."),
    json_out: bool = JSON_OPT,
) -> None:
    """Estimate a training step: time, MFU, memory per chip, and the layout chosen for `auto` knobs."""
    from dojosim.perf.estimate import estimate as run_estimate

    est = run_estimate(_scenario_source(scenario))
    if json_out:
        print_json(est.as_dict())
    else:
        from dojosim.report.tables import console, estimate_table

        console().print(estimate_table(est))


@app.command()
def demo(json_out: bool = JSON_OPT) -> None:
    """Estimate the built-in scenarios side by side, then Dojo against Tesla's A100 cluster and H100.

    The Dojo section trains one epoch of the FSD-style network over 10 M clips
    and GPT-3 175B on an ExaPOD, 5,760 A100 (Tesla's 2021 cluster) and 10,000 H100.
    """
    from dojosim import scenarios
    from dojosim.perf.estimate import estimate as run_estimate
    from dojosim.report.dojo_demo import dojo_section, dojo_tables

    results = []
    for name in scenarios.DEMO:
        sys.stderr.write(f"estimating {name} ...\n")
        results.append(run_estimate(str(scenarios.path(name))))
    sys.stderr.write("estimating the Dojo comparison ...\n")
    dojo = dojo_section()
    if json_out:
        print_json({"scenarios": [e.as_dict() for e in results], "dojo": dojo})
    else:
        from dojosim.report.tables import console, estimates_table

        out = console()
        out.print(estimates_table(results, "dojosim demo: built-in scenarios"))
        for table in dojo_tables(dojo):
            out.print(table)


@app.command()
def validate(
    json_out: bool = JSON_OPT,
    role: list[str] = typer.Option(
        None, "--role", help="Only runs of this role (calibration, check, claim); repeatable."
    ),
) -> None:
    """Score the model against every published run in the catalog."""
    from dojosim import validate as v

    for r in role or []:
        if r not in ("calibration", "check", "claim"):
            raise DojosimError(f"--role: expected calibration, check or claim, got {r!r}")
    scores = v.validate(role or None)
    if json_out:
        print_json([s.as_dict() for s in scores])
    else:
        from dojosim.report.tables import console, scores_table

        console().print(scores_table(scores, v.summary(scores)))


@catalog_app.command("list")
def catalog_list(
    kind: str = typer.Argument(
        None, help="chip, system, model, run or calibration (default: all)."
    ),
    json_out: bool = JSON_OPT,
) -> None:
    """List catalog entries with their descriptions."""
    from dojosim.catalog import KINDS, check_kind, get, names

    kinds = [check_kind(kind)] if kind else list(KINDS)
    rows = [
        {"kind": k, "name": n, "description": get(k, n).description.strip()}
        for k in kinds
        for n in names(k)
    ]
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    from dojosim.report.tables import console

    t = Table(title="dojosim catalog")
    for col in ("kind", "name", "description"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["kind"], r["name"], r["description"])
    console().print(t)


@catalog_app.command("show")
def catalog_show(
    name: str = typer.Argument(..., help="Entry name, e.g. a100-sxm4-80g."),
    kind: str = typer.Option(None, "--kind", help="Entry kind, when a name exists in several."),
    json_out: bool = JSON_OPT,
) -> None:
    """Show one entry: its fields as written (with sources), or resolved to SI units with --json."""
    from dojosim.catalog import find, raw, resolved

    k = find(name, kind)
    if json_out:
        print_json(resolved(k, name))
        return
    import yaml

    sys.stdout.write(
        f"# {k} {name}\n" + yaml.safe_dump(raw(k, name), sort_keys=False, allow_unicode=True)
    )


def _register_rooms() -> None:
    from dojosim.numerics.cli import register as register_numerics
    from dojosim.site.cli import register as register_site
    from dojosim.workload.cli import app as workload_app

    register_numerics(app)
    register_site(app)
    app.add_typer(workload_app, name="workload")


_register_rooms()


def main() -> None:
    """Entry point of the ``dojosim`` command."""
    try:
        code = app(standalone_mode=False)
    except DojosimError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        sys.stderr.write("dojosim: interrupted\n")
        sys.exit(130)
    except Exception as exc:
        # Usage errors (bad option values, unknown options, missing arguments) come from the
        # click that typer vendors; recognise them by their interface, not their import path.
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":
            ctx = getattr(exc, "ctx", None)
            sys.stdout.write((ctx.get_help() if ctx else exc.format_message()) + "\n")
            sys.exit(0)
        _fail(" ".join(str(exc.format_message()).split()), int(exc.exit_code))
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int = 2) -> None:
    """One line on stderr, then exit: the CLI's answer to bad input."""
    sys.stderr.write(f"dojosim: error: {message}\n")
    sys.exit(code)


if __name__ == "__main__":
    main()
