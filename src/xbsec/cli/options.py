"""Options and plumbing shared by the commands: passwords, bodies, error exits."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from xbsec.errors import XBSecError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_REFUSED = 1
"""A verification or decryption said no."""
EXIT_USAGE = 2
"""Bad arguments, unreadable files, wrong passwords: the command could not do its job."""
EXIT_WARNING = 3
"""It works today, but not for long: a certificate expires within the warning window."""

EXIT_CODES_HELP = ("Exit status: 0 done; 1 refused (a signature, a decryption or XBS said "
                   "no; doctor found a problem); 2 usage or configuration error (bad "
                   "arguments, unreadable files, wrong passwords, a port in use); 3 a warning "
                   "(a certificate expiring within the warning window).")


class RenamedOption(click.Option):
    """An option whose former spellings still work, left out of the help.

    ``RenamedOption(["--signing-cert", "cert_path"], old_names=["--cert"])``: scripts written
    for ``--cert`` keep working; ``--help`` shows only the new name.
    """

    def __init__(self, param_decls: list[str], *, old_names: tuple[str, ...] = (),
                 **attrs: Any) -> None:
        super().__init__([*param_decls, *old_names], **attrs)
        self.old_names = old_names

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown = self.opts
        self.opts = [name for name in shown if name not in self.old_names]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown


def renamed_option(*param_decls: str, old_names: tuple[str, ...],
                   **attrs: Any) -> Callable[[F], F]:
    """``click.option`` for a ``RenamedOption``."""
    return click.option(*param_decls, cls=RenamedOption, old_names=old_names, **attrs)


def body_file_option(help_text: str, **attrs: Any) -> Callable[[F], F]:
    """``--body-file F|-``, the one name of a command's input bytes (formerly ``--in``)."""
    return renamed_option("--body-file", "body_file", old_names=("--in",), metavar="F|-",
                          help=help_text, **attrs)


def password_options(func: F) -> F:
    """``--password`` and ``--password-env``: a secret given directly or named by variable."""
    func = click.option("--password-env", metavar="NAME",
                        help="Read the password from this environment variable.")(func)
    func = click.option("--password", metavar="P", help="Keystore or key password.")(func)
    return func


def profile_options(func: F) -> F:
    """``--profile NAME`` and ``--profile-file F``: the profile, found as the client finds it."""
    func = click.option("--profile-file", metavar="F", type=click.Path(dir_okay=False),
                        help="The profile file (default: $XBSEC_PROFILE, else ./xbsec.toml).")(
        func)
    func = click.option("--profile", "profile_name", metavar="NAME",
                        help="The profile's name (default: the file's default).")(func)
    return func


def resolve_password(password: str | None, password_env: str | None) -> str | None:
    if password is not None and password_env is not None:
        raise click.UsageError("give --password or --password-env, not both")
    if password_env is not None:
        value = os.environ.get(password_env)
        if value is None:
            raise click.UsageError(f"environment variable {password_env} is not set")
        return value
    return password


def read_body(body_file: str | None) -> bytes:
    """The exact bytes of ``--body-file`` (``-`` is standard input); none means empty."""
    if body_file is None:
        return b""
    if body_file == "-":
        return sys.stdin.buffer.read()
    try:
        with open(body_file, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise click.UsageError(f"cannot read --body-file {body_file}: {exc.strerror}") from None


def error_line(message: str) -> str:
    """``Error: message``, the one style of every command's errors (click's usage errors
    included), in red where standard error is a terminal."""
    return f"{click.style('Error:', fg='red', bold=True)} {message}"


def show_warnings() -> None:
    """Print xbsec's warnings as one ``Warning: …`` line each, as errors are printed."""
    import warnings

    from xbsec.errors import XBSecWarning

    default = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        if issubclass(category, XBSecWarning):
            click.echo(f"{click.style('Warning:', fg='yellow', bold=True)} {message}",
                       err=True)
        else:
            default(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(error_line(message), err=True)
    raise SystemExit(code)


def handle_errors(func: F) -> F:
    """Turn xbsec's own errors into a one-line message and exit status 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except XBSecError as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]
