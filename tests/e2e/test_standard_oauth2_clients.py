"""Clients nobody here wrote: authlib and requests-oauthlib through the Balance flow.

``xbsec sandbox serve`` runs as a user runs it. The code of ``docs/oauth2-standard-clients.md``
is read from the page and run as it stands, with two changes only: the sandbox's URL and the
project folder of this test, and the browser, played by ``approve`` (it reads the consent
page, presses Approve, and hands back where the redirect pointed). Each library then does
what an integrator's code does: authorize with PKCE, exchange the code with a
``private_key_jwt`` assertion, call the Balance APIs with the access token, refresh, and
call them again.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.sandbox_process import Project, SandboxServer, Servers, init_project
from tests.sandbox.authorization_server.flow import query_of, read_consent

pytestmark = [pytest.mark.slow, pytest.mark.interop]

pytest.importorskip("authlib")
pytest.importorskip("requests_oauthlib")

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "oauth2-standard-clients.md"
BLOCK = re.compile(r"<!-- block: (?P<name>[\w-]+) -->\n```python\n(?P<code>.*?)```", re.S)


def guide_blocks() -> dict[str, str]:
    """The guide's Python blocks, by the name in the comment above each."""
    return {m["name"]: m["code"] for m in BLOCK.finditer(GUIDE.read_text(encoding="utf-8"))}


def test_every_python_block_of_the_guide_is_run_here() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert text.count("```python") == len(guide_blocks()) == 4
    assert set(guide_blocks()) == {"setup", "browser", "authlib", "requests-oauthlib"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return init_project(tmp_path_factory.mktemp("standard-clients") / "demo",
                        auth="request-token")


@pytest.fixture(scope="module")
def sandbox(project: Project, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[SandboxServer]:
    servers = Servers(tmp_path_factory.mktemp("standard-clients-logs"))
    yield servers.start(project)
    problems = servers.close()
    assert not problems, "\n".join(problems)


def approve(url: str) -> str:
    """The user's part: the consent page, Approve, and where the browser is sent back."""
    with httpx.Client(timeout=20) as browser:
        page = browser.get(url)
        assert page.status_code == 200, page.text
        form = read_consent(page.text)
        assert form.action is not None
        answer = browser.post(httpx.URL(url).join(form.action),
                              data={**form.hidden, "decision": "approve"})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def run_guide(project: Project, sandbox: SandboxServer, library: str,
              monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the guide's setup and ``library`` blocks; what they defined."""
    blocks = guide_blocks()
    setup = blocks["setup"]
    for written, here in (('"http://127.0.0.1:8080"', repr(sandbox.url)),
                          ('Path("demo")', f"Path({str(project.folder)!r})")):
        assert setup.count(written) == 1, written
        setup = setup.replace(written, here)
    # The libraries' insecure-transport switches, put back as they were afterwards.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "")
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "")
    namespace: dict[str, Any] = {"__name__": f"guide_{library.replace('-', '_')}"}
    exec(compile(setup, f"{GUIDE.name}:setup", "exec"), namespace)  # noqa: S102
    exec(compile(blocks["browser"], f"{GUIDE.name}:browser", "exec"), namespace)  # noqa: S102
    namespace["open_in_browser"] = approve
    exec(compile(blocks[library], f"{GUIDE.name}:{library}", "exec"), namespace)  # noqa: S102
    return namespace


def _accounts(document: list[dict[str, Any]]) -> list[str]:
    # Mastercard's GEN Account shape: a JSON array of camelCase accounts.
    return [account["accountId"] for account in document]


@pytest.mark.parametrize("library", ["authlib", "requests-oauthlib"])
def test_the_whole_flow_with_a_standard_client(project, sandbox, library, monkeypatch,
                                               capsys) -> None:
    ran = run_guide(project, sandbox, library, monkeypatch)
    capsys.readouterr()  # what the guide prints
    token, refreshed = dict(ran["token"]), dict(ran["refreshed"])
    assert token["token_type"].lower() == "bearer"
    assert token["scope"] in ("balances", ["balances"])  # oauthlib splits it
    assert _accounts(ran["accounts"]) == ["acct_1001", "acct_1002", "acct_1003", "acct_1234"]
    # The refresh rotated both tokens, and the new access token reads the same accounts.
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert _accounts(ran["accounts_again"]) == _accounts(ran["accounts"])
    # The authorization response named its issuer (RFC 9207), the URL the sandbox serves.
    assert query_of(ran["callback"])["iss"] == sandbox.url == ran["metadata"]["issuer"]


def test_authlib_signs_its_assertions_an_hour_ahead(project, sandbox, monkeypatch) -> None:
    from authlib.oauth2.rfc7523 import PrivateKeyJWT

    ran = run_guide(project, sandbox, "authlib", monkeypatch)
    assertion = PrivateKeyJWT(ran["TOKEN_URL"]).sign(ran["session"], ran["TOKEN_URL"])
    payload = assertion.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["exp"] - claims["iat"] == 3600  # the default the sandbox now accepts


def test_two_authlib_workers_sharing_a_token_both_refresh(project, sandbox,
                                                          monkeypatch) -> None:
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.oauth2.rfc7523 import PrivateKeyJWT

    ran = run_guide(project, sandbox, "authlib", monkeypatch)
    # A second process of the same application, started with a copy of the same token.
    other = OAuth2Session(ran["CLIENT_ID"], ran["PRIVATE_KEY_PEM"],
                          token_endpoint_auth_method=PrivateKeyJWT(ran["TOKEN_URL"]),
                          scope="balances", token=dict(ran["refreshed"]))
    first = ran["session"].refresh_token(ran["TOKEN_URL"])
    second = other.refresh_token(ran["TOKEN_URL"])  # the same refresh token, a moment later
    assert first["refresh_token"] != second["refresh_token"]
    for session in (ran["session"], other):
        assert _accounts(session.get(ran["BALANCES"], timeout=10).json())
        assert session.refresh_token(ran["TOKEN_URL"])["access_token"]


def test_requests_oauthlib_without_include_client_id_is_told_why(project, sandbox,
                                                                 monkeypatch) -> None:
    from oauthlib.oauth2.rfc6749.errors import InvalidClientError

    ran = run_guide(project, sandbox, "requests-oauthlib", monkeypatch)
    session_class = type(ran["session"])
    session = session_class(ran["CLIENT_ID"], redirect_uri=ran["REDIRECT_URI"],
                            scope=["balances"], pkce="S256")
    session.register_compliance_hook("access_token_request", ran["sign_code_exchange"])
    url, _ = session.authorization_url(ran["AUTHORIZE_URL"])
    with pytest.raises(InvalidClientError) as refused:
        session.fetch_token(ran["TOKEN_URL"], authorization_response=approve(url))
    assert refused.value.status_code == 401
    assert "private_key_jwt" in refused.value.description
    assert "Authorization header" in refused.value.description


def test_bearer_challenges_on_the_balance_apis(project, sandbox, monkeypatch) -> None:
    ran = run_guide(project, sandbox, "authlib", monkeypatch)
    balances, token = ran["BALANCES"], ran["refreshed"]["access_token"]
    other_partner = re.sub(r"partners/[^/]+/", "partners/SANDBOX_0000000/", balances)
    with httpx.Client(timeout=20) as http:
        missing = http.get(balances)
        unknown = http.get(balances, headers={"Authorization": "Bearer " + "A" * 43})
        foreign = http.get(other_partner, headers={"Authorization": f"Bearer {token}"})
        ok = http.get(balances, headers={"Authorization": f"Bearer {token}"})
    assert (missing.status_code, missing.headers["www-authenticate"]) == (401, "Bearer")
    assert unknown.status_code == 401
    assert unknown.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert foreign.status_code == 403
    assert foreign.headers["www-authenticate"].startswith('Bearer error="insufficient_scope"')
    assert ok.status_code == 200
    assert "www-authenticate" not in ok.headers
