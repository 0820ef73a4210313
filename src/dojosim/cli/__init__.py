"""The command line. It parses options, calls library functions and prints; nothing else.

Every command lives in this package, one module per group (``estimate``, ``catalog``,
``site``, ``numerics``, ``workload``, ...); each module's ``register(app)`` adds its
commands. Errors caused by input are :class:`~dojosim.errors.DojosimError`; ``main``
turns each into one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
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

#: Command modules of this package, registered in this order (the order of ``--help``).
COMMAND_MODULES = (
    "estimate",
    "site",
    "catalog",
    "numerics",
    "workload",
    "goodput",
    "explore",
    "web",
)


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"dojosim.cli.{name}").register(app)


_register()


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
