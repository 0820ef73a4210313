"""`dojosim serve` (the web app) and `dojosim report` (a self-contained HTML report)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from dojosim.errors import DojosimError


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on (1-65535)."),
) -> None:
    """Start the web app: Estimate, Compare, Site & cost, Orbit, Validate and Catalog pages.

    Everything is served from the package (Plotly's JavaScript included); no network needed.
    Open http://HOST:PORT/ in a browser; stop with Ctrl-C.
    """
    if not 1 <= port <= 65535:
        raise DojosimError(f"--port {port} must lie in 1..65535")
    try:
        import uvicorn

        from dojosim.web.app import create_app
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise DojosimError(
            f"the web app needs the web extra (pip install 'dojosim[web]'): {exc}"
        ) from None
    sys.stderr.write(f"dojosim: serving on http://{host}:{port}/ (Ctrl-C stops)\n")
    try:
        uvicorn.run(create_app(), host=host, port=port, log_level="warning")
    except OSError as exc:  # pragma: no cover - port in use, address not available
        raise DojosimError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def report(
    scenarios: list[str] = typer.Argument(
        ..., help="Scenario YAML files or built-in scenario names (two or more are compared)."
    ),
    out: Path = typer.Option(Path("report.html"), "-o", "--out", help="HTML file to write."),
) -> None:
    """Write one self-contained HTML report (inline JS and CSS; opens offline) of the scenarios."""
    from dojosim.report.html import write

    def progress(line: str) -> None:
        sys.stderr.write(line + "\n")

    written = write(scenarios, out, progress=progress)
    sys.stderr.write(f"dojosim: wrote {written}\n")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``report``."""
    app.command()(serve)
    app.command()(report)
