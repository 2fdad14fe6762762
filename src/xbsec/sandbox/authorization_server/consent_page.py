"""The HTML the user sees: the consent page, and the page of a refused request.

Every value that comes from the request or the registry goes through ``html.escape`` (with
quotes, since some land in attributes). The pages carry no script; the only style is one
inline block, allowed by its hash in the Content-Security-Policy, and the page may not be
framed (clickjacking would let another site get an approval clicked).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from html import escape
from typing import Final

__all__ = ["SECURITY_HEADERS", "render_consent_page", "render_error_page"]

_STYLE: Final = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;"
    "color:#1b1b1b}h1{font-size:1.4rem}code{background:#f2f2f2;padding:0 .25rem}"
    ".buttons{display:flex;gap:1rem;margin-top:2rem}button{font-size:1rem;padding:.6rem 1.6rem;"
    "border-radius:.3rem;border:1px solid #666;cursor:pointer}#approve{background:#eb001b;"
    "color:#fff;border-color:#eb001b}#deny{background:#fff}.note{color:#555;font-size:.9rem}"
    ".error{border-left:4px solid #eb001b;padding-left:1rem}"
)
_STYLE_HASH: Final = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

SECURITY_HEADERS: Final = (
    (b"content-type", b"text/html; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    # No form-action: browsers apply it to the redirect after the POST, which goes to the
    # client's own origin.
    (b"content-security-policy",
     f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; frame-ancestors 'none'; "
     "base-uri 'none'".encode()),
)


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
            f"<body>\n{body}</body>\n</html>\n").encode()


def _shorten(consumer_key: str) -> str:
    return consumer_key if len(consumer_key) <= 12 else consumer_key[:8] + "…"


def render_consent_page(*, action: str, consumer_key: str, partner_id: str, scope: str,
                        redirect_uri: str, accounts: Sequence[str] | None,
                        hidden: Mapping[str, str]) -> bytes:
    """The consent page: who asks, for which partner and accounts, Approve or Deny.

    ``hidden`` holds the form's hidden fields (the request and its CSRF token); the two
    buttons are named ``decision`` with the values ``approve`` and ``deny``.
    """
    if accounts:
        items = "".join(f"<li><code>{escape(account)}</code></li>\n" for account in accounts)
        what = (f"<p>The accounts of partner <strong>{escape(partner_id)}</strong>:</p>\n"
                f'<ul id="accounts">\n{items}</ul>\n')
    else:
        what = (f'<p id="accounts">All accounts of partner <strong>{escape(partner_id)}'
                "</strong>.</p>\n")
    fields = "".join(f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">\n'
                     for name, value in hidden.items())
    body = (
        "<h1>Authorize access to your balances</h1>\n"
        f'<p>The application <code title="{escape(consumer_key)}">'
        f"{escape(_shorten(consumer_key))}</code> asks to read the balances of partner "
        f"<strong>{escape(partner_id)}</strong> through the Balance APIs "
        f"(scope <code>{escape(scope)}</code>).</p>\n"
        f"{what}"
        f'<p class="note">After your answer the browser returns to '
        f"<code>{escape(redirect_uri)}</code>.</p>\n"
        f'<form method="post" action="{escape(action)}">\n{fields}'
        '<div class="buttons">\n'
        '<button type="submit" name="decision" value="approve" id="approve">Approve</button>\n'
        '<button type="submit" name="decision" value="deny" id="deny">Deny</button>\n'
        "</div>\n</form>\n"
        '<p class="note">xbsec sandbox authorization server: an emulation for tests, not '
        "Mastercard.</p>\n"
    )
    return _page("Authorize access to your balances - xbsec sandbox", body)


def render_error_page(description: str) -> bytes:
    """The page of a request that cannot be sent back to the client."""
    body = ("<h1>This authorization request cannot be answered</h1>\n"
            f'<p class="error" id="error">{escape(description)}</p>\n'
            '<p class="note">The application that sent you here is not registered for this '
            "redirect, or the form was not one this server showed. Nothing was authorized."
            "</p>\n")
    return _page("Authorization refused - xbsec sandbox", body)
