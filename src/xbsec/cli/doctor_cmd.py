"""``xbsec doctor``: check a client profile and say the fix for what is wrong."""

from __future__ import annotations

import json

import click

from xbsec.cli.options import EXIT_REFUSED, EXIT_WARNING, handle_errors, profile_options

_MARK = {"ok": "[ok]     ", "warning": "[warning]", "problem": "[problem]"}


@click.command("doctor")
@profile_options
@click.option("--warn-days", type=click.IntRange(0, 3650), default=30, show_default=True,
              help="Warn when a certificate expires within this many days.")
@click.option("--offline", is_flag=True,
              help="Check the files only: no call to the endpoint.")
@click.option("--cafile", type=click.Path(dir_okay=False, exists=True),
              help="PEM CA bundle for an endpoint with a private or test CA.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@handle_errors
def doctor(profile_name: str | None, profile_file: str | None, warn_days: int,
           offline: bool, cafile: str | None, as_json: bool) -> None:
    """Check a profile end to end: files, passwords, aliases, key pairs, expiry, then the
    endpoint (TLS), the clock against the server's, and one signed call that changes
    nothing. Each problem comes with its fix.

    Exit status: 0 all good, 3 a warning (a certificate expiring soon, a clock drifting),
    1 a problem.
    """
    from xbsec.client.doctor import check_profile, worst

    _, checks = check_profile(profile_name, profile_file, warn_days=warn_days,
                              live=not offline, cafile=cafile)
    if as_json:
        click.echo(json.dumps({"outcome": worst(checks),
                               "checks": [c.to_dict() for c in checks]}, indent=2))
    else:
        for check in checks:
            click.echo(f"{_MARK[check.outcome]} {check.name}: {check.detail}")
            if check.fix and check.outcome != "ok":
                click.echo(f"            fix: {check.fix}")
    outcome = worst(checks)
    if outcome != "ok":
        raise SystemExit(EXIT_REFUSED if outcome == "problem" else EXIT_WARNING)
