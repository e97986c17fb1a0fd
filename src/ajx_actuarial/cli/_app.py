"""The Typer application, the error policy and the entry points of ``ajx``.

Error policy (README "CLI"): anything the user can get wrong (an :class:`AjxError`, a bad
option value, an unknown option or command, a missing argument, an unreadable or
unwritable file) prints ONE line ``error: ...`` on stderr and exits with code 2, leaving no
partial output. ``--help`` and a bare ``ajx`` (or a bare group such as ``ajx tables``) print
the help on stdout and exit 0. Ctrl-C exits 130. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import sys
import warnings

import typer

from .. import __version__
from ..errors import AjxError, AjxWarning
from ..present import make_console
from ..present.console import refit_console

__all__ = ["app", "main", "run", "out"]

app = typer.Typer(
    name="ajx",
    help="Pricing, loss simulation and prevention budgets for Work Safety Liability Insurance (安责险).\n\n"
         "Example: ajx demo -o ajx-demo",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain click help: flags show as --x / --no-x, not "<bool>"
)

# Console for results; wide when piped or captured (files, CI logs), the terminal's width otherwise.
out = make_console()


def _version_cb(value: bool) -> None:
    if value:
        print(f"ajx_actuarial {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version_cb, is_eager=True, help="Print the version and exit."),
) -> None:
    """ajx: 安责险 actuarial toolkit."""


def _exception_classes():
    """(exit, abort, click-error) classes of typer's vendored click (typer >= 0.29) and of click."""
    mods = []
    try:
        from typer._click import exceptions as vendored  # typer >= 0.29 ships its own click

        mods.append(vendored)
    except ImportError:  # pragma: no cover - older typer uses click itself
        pass
    try:
        import click.exceptions as real

        mods.append(real)
    except ImportError:  # pragma: no cover
        pass
    exits = tuple({getattr(m, "Exit", typer.Exit) for m in mods} | {typer.Exit})
    aborts = tuple({getattr(m, "Abort", typer.Abort) for m in mods} | {typer.Abort})
    errors = tuple({m.ClickException for m in mods})
    return exits, aborts, errors


_EXITS, _ABORTS, _CLICK_ERRORS = _exception_classes()


_LONG_WORD = 200  # a word longer than this in a message is an echoed argument (a path, a name): shown cut


def _one_line(text: str) -> str:
    """``text`` on one line; any word over 200 characters (a 100 000-character name echoed back) cut in its middle."""
    return " ".join(w if len(w) <= _LONG_WORD else f"{w[:120]}…{w[-40:]} ({len(w):,} characters)" for w in str(text).split())


def _click_message(exc) -> str:
    msg = _one_line(exc.format_message())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and type(exc).__name__ != "FileError":
        msg += f" (see '{ctx.command_path} --help')"
    return msg


def main(argv: list[str] | None = None) -> int:
    """Run ``ajx`` with ``argv`` (default ``sys.argv[1:]``) and return its exit code.

    Examples
    --------
    >>> main(["--version"])  # doctest: +ELLIPSIS
    ajx_actuarial ...
    0
    """
    refit_console(out)  # this command's $COLUMNS / terminal, not the one at import
    default_format = warnings.formatwarning

    def one_line(message, category, filename, lineno, line=None):  # the package's notes as one line, not a source location
        if isinstance(category, type) and issubclass(category, AjxWarning):
            return f"warning: {_one_line(message)}\n"
        return default_format(message, category, filename, lineno, line)

    warnings.formatwarning = one_line
    try:
        return _main(argv)
    finally:
        warnings.formatwarning = default_format


def _main(argv: list[str] | None) -> int:
    try:
        rv = app(args=argv, standalone_mode=False, prog_name="ajx")
        return rv if isinstance(rv, int) else 0
    except AjxError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except _EXITS as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except _ABORTS:
        print("error: aborted", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except _CLICK_ERRORS as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            # Typer's rich help is printed while the error is built; plain click gives it as the message.
            text = exc.format_message()
            if text.strip():
                print(text)
            return 0
        print(_one_line(f"error: {_click_message(exc)}"), file=sys.stderr)
        return 2
    except UnicodeError as exc:
        print(f"error: cannot decode a text input as UTF-8 ({_one_line(exc)}): save TOML files as UTF-8; "
              "CSV inputs also take --encoding (e.g. gbk)", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(_one_line(f"error: file system:{where}: {exc.strerror or exc}"), file=sys.stderr)
        return 2


def run() -> None:  # console-script entry point
    """Console-script entry point: ``sys.exit(main())``."""
    sys.exit(main())
