"""`dojosim estimate`, `demo` and `validate`: the step estimate and its scores."""

from __future__ import annotations

import sys
from typing import Any

import typer

from dojosim.cli.common import JSON_OPT, scenario_source
from dojosim.errors import DojosimError
from dojosim.report.jsonout import print_json


def estimate(
    scenario: str = typer.Argument(..., help="Scenario YAML file, or a built-in scenario name."),
    json_out: bool = JSON_OPT,
) -> None:
    """Estimate a training step: time, MFU, memory per chip, and the layout chosen for `auto` knobs."""
    from dojosim.perf.estimate import estimate as run_estimate

    est = run_estimate(scenario_source(scenario))
    if json_out:
        print_json(est.as_dict())
    else:
        from dojosim.report.tables import console, estimate_table

        console().print(estimate_table(est))


def demo(json_out: bool = JSON_OPT) -> None:
    """Estimate the built-in scenarios side by side, then Dojo against Tesla's A100 cluster and H100.

    The Dojo section trains one epoch of the FSD-style network over 10 M clips
    and GPT-3 175B on an ExaPOD, 5,760 A100 (Tesla's 2021 cluster) and 10,000 H100.
    """
    from dojosim import scenarios
    from dojosim.perf.estimate import estimate as run_estimate
    from dojosim.report.dojo_demo import dojo_section, dojo_tables
    from dojosim.sim.demo import goodput_line, goodput_summary

    results = []
    for name in scenarios.DEMO:
        sys.stderr.write(f"estimating {name} ...\n")
        results.append(run_estimate(str(scenarios.path(name))))
    sys.stderr.write("estimating the Dojo comparison ...\n")
    dojo = dojo_section()
    from dojosim.report.frontier_demo import frontier_section, frontier_table

    sys.stderr.write("estimating the frontier (DeepSeek-V3 on five machines) ...\n")
    frontier = frontier_section()
    sys.stderr.write("simulating goodput on Earth and in orbit ...\n")
    gp = goodput_summary()
    scaling = _demo_sweep()
    if json_out:
        rows = scaling.to_pylist() if scaling is not None else None
        print_json(
            {
                "scenarios": [e.as_dict() for e in results],
                "dojo": dojo,
                "frontier": frontier,
                "goodput": gp,
                "sweep": rows,
            }
        )
    else:
        from dojosim.report.tables import console, estimates_table

        out = console()
        out.print(estimates_table(results, "dojosim demo: built-in scenarios"))
        for table in dojo_tables(dojo):
            out.print(table)
        out.print(frontier_table(frontier))
        out.print(goodput_line(gp), soft_wrap=True)
        if scaling is not None:
            from dojosim.report.explore_tables import rows_table

            title = f"sweep {DEMO_SWEEP} (dojosim sweep {DEMO_SWEEP} --out FILE)"
            out.print(rows_table(scaling.drop_columns(["point", "status", "error"]), title, None))


#: The built-in sweep the demo ends with: GPT-3 175B on 256 to 2,048 H100.
DEMO_SWEEP = "gpt3-h100-scaling"


def _demo_sweep() -> Any:
    """The demo's closing sweep as an Arrow table, or None without the explore extra."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        sys.stderr.write(
            "skipping the sweep: it needs the explore extra (pip install 'dojosim[explore]')\n"
        )
        return None
    from dojosim.explore import sweep

    sys.stderr.write(f"sweeping {DEMO_SWEEP} ...\n")
    return sweep(DEMO_SWEEP, table="arrow", workers=1)


def validate(
    json_out: bool = JSON_OPT,
    role: list[str] = typer.Option(
        None,
        "--role",
        help="Only rows of this role (calibration, check, regression, claim, input); repeatable.",
    ),
    summary_out: bool = typer.Option(
        False,
        "--summary",
        help="With --json: one object with the rows, the summaries and the 80% interval coverage.",
    ),
    by: str = typer.Option(
        None,
        "--by",
        help="Group the runs' errors by system, chip, model, precision, framework, workload, "
        "family (calibration) or chips (bands), with each group's bias.",
    ),
) -> None:
    """Score the model against every published run and claim in the catalog.

    Values are in SI units (the unit column); `input` rows restate one of our inputs and are
    left out of every summary; rows outside their tolerance are marked FAILED and named.
    """
    from dojosim import validate as v

    for r in role or []:
        if why := v.role_problem(r):
            raise DojosimError(f"--role: {why}")
    if by is not None:
        from dojosim.validate.groups import by_problem

        if why := by_problem(by):
            raise DojosimError(f"--by: {why}")
    scores = v.validate(role or None)
    if by is not None:
        from dojosim.validate.groups import groups

        found = groups(scores, by)
        if json_out:
            print_json({"by": by, "groups": found})
        else:
            from dojosim.report.tables import console, groups_table

            console().print(groups_table(found, by))
        return
    cover = None
    if any(s.role == "check" and s.kind == "run" for s in scores):
        from dojosim.validate.coverage import coverage

        cover = coverage(scores)
    if json_out and summary_out:
        doc = {"rows": [s.as_dict() for s in scores], "summary": v.summary(scores)}
        print_json({**doc, "coverage": cover})
    elif json_out:
        print_json([s.as_dict() for s in scores])
    else:
        from dojosim.report.tables import console, scores_table

        console().print(scores_table(scores, v.summary(scores), cover))


def register(app: typer.Typer) -> None:
    """Add ``estimate``, ``demo`` and ``validate``."""
    app.command()(estimate)
    app.command()(demo)
    app.command()(validate)
