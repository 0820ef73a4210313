"""The command line. It parses options, calls library functions and prints; nothing else.

Errors caused by input are :class:`~dojosim.errors.DojosimError`; ``main`` turns
each into one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys

import typer

from dojosim.errors import DojosimError

app = typer.Typer(
    name="dojosim",
    help="A digital twin of AI training systems, from the chip to the orbit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="List and show catalog entries with their sources.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")

JSON_OPT = typer.Option(False, "--json", help="Print one JSON document on stdout.")


def _register_rooms() -> None:
    from dojosim.numerics.cli import register as register_numerics
    from dojosim.site.cli import register as register_site

    register_numerics(app)
    register_site(app)


_register_rooms()


def main() -> None:
    """Entry point of the ``dojosim`` command."""
    try:
        app()
    except DojosimError as exc:
        sys.stderr.write(f"dojosim: error: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("dojosim: interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
