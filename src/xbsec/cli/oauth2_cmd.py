"""``xbsec oauth2 login | status | logout``: access tokens for the Balance APIs (SPEC §6).

``login`` runs the authorization code flow with PKCE through a browser and a loopback
listener, redeems the code with a client assertion signed by the project key, and stores
the tokens where the profile's ``[oauth2]`` table says. Nothing secret is printed: not the
tokens, not the code, not the verifier; only what was stored and for how long.
"""

from __future__ import annotations

import json
import os
import sys
import time
import webbrowser
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from xbsec.cli.options import EXIT_REFUSED, handle_errors, profile_options

if TYPE_CHECKING:
    from xbsec.profile import Profile

_DEFAULT_TIMEOUT = 300.0


def _profile(name: str | None, path: str | None) -> Profile:
    from xbsec.profile import load_profile

    return load_profile(name, path)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(seconds: float) -> str:
    """A lifetime as a person reads it: seconds, then minutes, hours, days."""
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{round(seconds)} s"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def _browser_available() -> bool:
    # On Linux without a display, webbrowser falls back to text browsers (lynx, w3m) that
    # would take over this terminal while it waits for the redirect.
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@click.group("oauth2")
def oauth2_group() -> None:
    """Access tokens for the Balance APIs (MTS EU/UK customers)."""


@oauth2_group.command("login")
@profile_options
@click.option("--port", type=click.IntRange(0, 65535),
              help="Loopback port for the redirect (default: the redirect_uri's; 0: any free "
                   "port).")
@click.option("--no-browser", is_flag=True, help="Only print the URL to open.")
@click.option("--timeout", type=click.FloatRange(min=1), default=_DEFAULT_TIMEOUT,
              show_default=True, help="Seconds to wait for the browser.")
@handle_errors
def login(profile_name: str | None, profile_file: str | None, port: int | None,
          no_browser: bool, timeout: float) -> None:
    """Authorize in a browser and store the access and refresh tokens."""
    from xbsec.client.oauth2.from_profile import oauth2_parts, oauth2_settings, tls_verify
    from xbsec.client.oauth2.login import LoopbackListener, loopback_port
    from xbsec.client.oauth2.token_client import TokenClient
    from xbsec.oauth2.authorization import AuthorizationRequest

    profile = _profile(profile_name, profile_file)
    settings = oauth2_settings(profile)
    endpoint, store, _ = oauth2_parts(profile)
    registered_port, path = loopback_port(settings.redirect_uri)
    with LoopbackListener(port=registered_port if port is None else port,
                          path=path) as listener:
        request = AuthorizationRequest.create(
            settings.authorize_url, client_id=profile.keys.consumer_key,
            redirect_uri=listener.redirect_uri, scope=settings.scope or None,
            partner_id=profile.partner_id)
        listener.expect(request)
        click.echo("Open this URL in a browser and approve access to the Balance APIs:\n")
        click.echo(f"  {request.url}\n")
        if not no_browser and _browser_available():
            try:
                opened = webbrowser.open(request.url, new=1)
            except webbrowser.Error:
                opened = False
            if not opened:
                click.echo("(no browser could be opened: open the URL yourself)")
        click.echo(f"Waiting up to {timeout:g} s for the redirect to {listener.redirect_uri} …")
        query = listener.wait(request, timeout=timeout)
    code = request.code_from(query)
    client = TokenClient(endpoint, timeout=profile.timeout, verify=tls_verify(profile))
    try:
        tokens = client.exchange_code(code, redirect_uri=request.redirect_uri,
                                      code_verifier=request.pkce.verifier)
    finally:
        client.close()
    store.save(tokens)
    now = time.time()
    refresh = ("valid " + _span(tokens.refresh_expires_at - now)
               if tokens.refresh_expires_at is not None else "expiry not given by the server")
    click.echo(f"Logged in as {profile.keys.consumer_key[:8]}… (profile {profile.name!r}): "
               f"access token expires in {round(tokens.expires_at - now)} s; refresh token "
               f"{refresh}; stored in {store.location}")


@oauth2_group.command("status")
@profile_options
@click.option("--json", "as_json", is_flag=True,
              help="Print as JSON (times in seconds since the epoch; never the tokens).")
@handle_errors
def status(profile_name: str | None, profile_file: str | None, as_json: bool) -> None:
    """Show when the stored tokens expire (exit status 1 when a login is needed)."""
    from xbsec.client.oauth2.from_profile import login_command, token_store_for

    profile = _profile(profile_name, profile_file)
    store = token_store_for(profile)
    tokens = store.load()
    now = time.time()
    login_needed = tokens is None or (not tokens.refresh_token_usable(now)
                                      and tokens.access_token_expired(now))
    if as_json:
        click.echo(json.dumps({
            "location": str(store.location), "stored": tokens is not None,
            "obtained_at": None if tokens is None else tokens.obtained_at,
            "access_token_expires_at": None if tokens is None else tokens.expires_at,
            "access_token_expired": None if tokens is None
            else tokens.access_token_expired(now),
            "refresh_token": None if tokens is None else bool(tokens.refresh_token),
            "refresh_token_expires_at": None if tokens is None else tokens.refresh_expires_at,
            "scope": None if tokens is None else tokens.scope,
            "login_needed": login_needed, "login_command": login_command(profile)}, indent=2))
        if login_needed:
            raise SystemExit(EXIT_REFUSED)
        return
    if tokens is None:
        click.echo(f"No tokens in {store.location}: run `{login_command(profile)}`.")
        raise SystemExit(EXIT_REFUSED)
    click.echo(f"Tokens in {store.location}")
    click.echo(f"  obtained:      {_when(tokens.obtained_at)}")
    if tokens.access_token_expired(now):
        click.echo(f"  access token:  expired {_span(now - tokens.expires_at)} ago")
    else:
        click.echo(f"  access token:  expires in {_span(tokens.expires_at - now)} "
                   f"({_when(tokens.expires_at)})")
    if not tokens.refresh_token:
        click.echo("  refresh token: none")
    elif tokens.refresh_expires_at is None:
        click.echo("  refresh token: present (the server did not say until when)")
    elif tokens.refresh_token_usable(now):
        click.echo(f"  refresh token: valid {_span(tokens.refresh_expires_at - now)} "
                   f"({_when(tokens.refresh_expires_at)})")
    else:
        click.echo(f"  refresh token: expired {_span(now - tokens.refresh_expires_at)} ago")
    if tokens.scope:
        click.echo(f"  scope:         {tokens.scope}")
    if login_needed:
        click.echo(f"Run `{login_command(profile)}` to authorize again.")
        raise SystemExit(EXIT_REFUSED)


@oauth2_group.command("logout")
@profile_options
@handle_errors
def logout(profile_name: str | None, profile_file: str | None) -> None:
    """Delete the stored tokens."""
    from xbsec.client.oauth2.from_profile import token_store_for

    store = token_store_for(_profile(profile_name, profile_file))
    if store.delete():
        click.echo(f"Deleted the tokens in {store.location}.")
    else:
        click.echo(f"No tokens were stored in {store.location}.")
