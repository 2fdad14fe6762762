"""What a client of the authorization server does, by hand: PKCE, assertions, the consent form."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from xbsec.jose.jws import jws_sign

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_URL = "http://testserver/oauth2/token"
REDIRECT_URI = "http://127.0.0.1:8765/callback"


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge), computed here independently of the server's code."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def assertion(key: Any, client_id: str, *, now: float, aud: Any = TOKEN_URL,
              lifetime: float = 120, **overrides: Any) -> str:
    """A private_key_jwt client assertion (RFC 7523); ``overrides`` replace or drop claims
    (a value of ``None`` drops the claim)."""
    claims: dict[str, Any] = {"iss": client_id, "sub": client_id, "aud": aud,
                              "exp": int(now + lifetime), "iat": int(now),
                              "jti": uuid.uuid4().hex}
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jws_sign(json.dumps(claims).encode(), key, header={"typ": "JWT"})


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method: str | None = None
        self.hidden: dict[str, str] = {}
        self.buttons: list[dict[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.action, self.method = attributes.get("action"), attributes.get("method")
        elif tag == "input" and attributes.get("type") == "hidden":
            self.hidden[attributes["name"] or ""] = attributes.get("value") or ""
        elif tag == "button":
            self.buttons.append(attributes)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@dataclass
class ConsentForm:
    action: str | None
    method: str | None
    hidden: dict[str, str]
    buttons: list[dict[str, str | None]]
    text: str = field(default="")


def read_consent(html: str) -> ConsentForm:
    reader = _FormReader()
    reader.feed(html)
    return ConsentForm(reader.action, reader.method, reader.hidden, reader.buttons,
                       " ".join(" ".join(reader.text).split()))


def query_of(location: str) -> dict[str, str]:
    parsed = parse_qs(urlsplit(location).query, keep_blank_values=True, strict_parsing=False)
    return {name: values[0] for name, values in parsed.items()}


def authorize_params(client_id: str, challenge: str, *, state: str = "state-123",
                     redirect_uri: str = REDIRECT_URI, **extra: str | None) -> dict[str, str]:
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
              "state": state, "code_challenge": challenge, "code_challenge_method": "S256",
              "scope": "balances"}
    for name, value in extra.items():  # None leaves the parameter out
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return params


async def consent(http: httpx.AsyncClient, params: dict[str, str]) -> ConsentForm:
    page = await http.get("/oauth2/authorize", params=params)
    assert page.status_code == 200, page.text
    return read_consent(page.text)


async def decide(http: httpx.AsyncClient, form: ConsentForm, decision: str) -> httpx.Response:
    return await http.post("/oauth2/authorize", data={**form.hidden, "decision": decision})


async def get_code(http: httpx.AsyncClient, client_id: str, challenge: str,
                   **extra: str | None) -> str:
    form = await consent(http, authorize_params(client_id, challenge, **extra))
    answer = await decide(http, form, "approve")
    assert answer.status_code == 302, answer.text
    return query_of(answer.headers["location"])["code"]
