"""Token-endpoint calls shared by the token tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.authorization_server.flow import (
    ASSERTION_TYPE,
    REDIRECT_URI,
    get_code,
    pkce_pair,
)


async def token(http: httpx.AsyncClient, client: Any, now: float, /,
                **form: str | None) -> httpx.Response:
    """POST /oauth2/token as ``client`` with a fresh assertion; None leaves a field out."""
    data: dict[str, str] = {"client_assertion_type": ASSERTION_TYPE,
                            "client_assertion": client.assertion(now)}
    for name, value in form.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return await http.post("/oauth2/token", data=data)


async def code_and_verifier(http: httpx.AsyncClient, client: Any) -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    return await get_code(http, client.consumer_key, challenge), verifier


async def exchange(http: httpx.AsyncClient, client: Any, now: float, code: str,
                   verifier: str, /, **form: str | None) -> httpx.Response:
    fields: dict[str, str | None] = {"grant_type": "authorization_code", "code": code,
                                     "redirect_uri": REDIRECT_URI, "code_verifier": verifier}
    fields.update(form)
    return await token(http, client, now, **fields)


async def tokens_for(http: httpx.AsyncClient, client: Any, now: float) -> dict[str, Any]:
    code, verifier = await code_and_verifier(http, client)
    answer = await exchange(http, client, now, code, verifier)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def assert_oauth_error(answer: httpx.Response, error: str, status: int = 400) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    return body["error_description"]  # type: ignore[no-any-return]
