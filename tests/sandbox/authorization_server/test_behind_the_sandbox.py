"""Through ``build_app``: the sandbox project's own authorization server, gateway and APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sandbox.authorization_server.flow import (
    ASSERTION_TYPE,
    assertion,
    authorize_params,
    consent,
    decide,
    pkce_pair,
    query_of,
)
from xbsec.keys import load_key_and_certificate
from xbsec.oauth1 import OAuth1Signer
from xbsec.oauth2 import RequestTokenMinter
from xbsec.sandbox.accounts import ACCOUNTS
from xbsec.sandbox.project import ALIAS, REDIRECT_URI, SIGNING_PASSWORD, init_project
from xbsec.sandbox.serve import ServeOptions, build_app

pytestmark = pytest.mark.anyio

BASE = "http://127.0.0.1:8080"


@dataclass
class Project:
    consumer_key: str
    partner_id: str
    key: Any
    certificate: Any

    @property
    def balances(self) -> str:
        return f"/send/partners/{self.partner_id}/crossborder/accounts"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    made = init_project(tmp_path / "project", auth="request-token")
    key, certificate = load_key_and_certificate(made.folder / "signing.p12",
                                                password=SIGNING_PASSWORD, alias=ALIAS)
    return Project(made.consumer_key, made.partner_id, key, certificate)


@pytest.fixture
async def http(project: Project, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(ServeOptions(str(tmp_path / "project"), url=BASE))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=BASE) as client:
        yield client


async def _access_token(http: httpx.AsyncClient, project: Project) -> str:
    verifier, challenge = pkce_pair()
    form = await consent(http, authorize_params(project.consumer_key, challenge,
                                                redirect_uri="http://127.0.0.1:53122/callback"))
    code = query_of((await decide(http, form, "approve")).headers["location"])["code"]
    answer = await http.post("/oauth2/token", data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": "http://127.0.0.1:53122/callback", "code_verifier": verifier,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion(project.key, project.consumer_key, now=_now(),
                                      aud=f"{BASE}/oauth2/token")})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]  # type: ignore[no-any-return]


def _now() -> float:
    import time

    return time.time()


def _gateway_error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error = answer.json()["Errors"]["Error"][0]
    assert error["Source"] == "Gateway"
    return error  # type: ignore[no-any-return]


async def test_the_project_registers_the_loopback_redirect(project) -> None:
    assert REDIRECT_URI == "http://127.0.0.1:8765/callback"


async def test_the_consent_page_lists_the_sandbox_accounts(http, project) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(project.consumer_key, challenge))
    for account_id in ACCOUNTS:
        assert account_id in form.text


async def test_an_access_token_reads_the_balances(http, project) -> None:
    token = await _access_token(http, project)
    listed = await http.get(project.balances, headers={"Authorization": f"Bearer {token}",
                                                       "Accept": "application/json"})
    assert listed.status_code == 200, listed.text
    accounts = listed.json()
    assert {a["settlementCurrency"] for a in accounts} == set(ACCOUNTS.values())
    one = accounts[0]["accountId"]
    # A bare token too, as Mastercard's reference application sends it (SPEC §6.2).
    single = await http.get(f"{project.balances}/{one}", headers={"Authorization": token,
                                                                   "Accept": "application/json"})
    assert single.status_code == 200, single.text
    assert single.json()["accountId"] == one


async def test_the_access_token_is_refused_off_the_balance_paths(http, project) -> None:
    token = await _access_token(http, project)
    quotes = await http.post(f"/send/partners/{project.partner_id}/crossborder/quotes",
                             headers={"Authorization": f"Bearer {token}",
                                      "Content-Type": "application/json"}, content=b"{}")
    assert _gateway_error(quotes, 401)["ReasonCode"] == "DECLINED"


async def test_the_access_token_is_refused_for_another_partner(http, project) -> None:
    token = await _access_token(http, project)
    other = await http.get("/send/partners/SANDBOX_9999999/crossborder/accounts",
                           headers={"Authorization": f"Bearer {token}"})
    assert _gateway_error(other, 403)["ReasonCode"] == "DECLINED"
    assert other.headers["www-authenticate"] == (
        'Bearer error="insufficient_scope", error_description="Unauthorized - Access Not '
        'Granted: this access token was issued for another partner id", scope="balances"')


async def test_a_made_up_access_token_is_refused(http, project) -> None:
    answer = await http.get(project.balances, headers={"Authorization": "Bearer " + "A" * 43})
    assert _gateway_error(answer, 401)["ReasonCode"] == "INVALID_ACCESS_TOKEN"
    assert answer.headers["www-authenticate"] == (
        'Bearer error="invalid_token", error_description="the access token is unknown or '
        'revoked"')


async def test_a_balance_call_without_credentials_is_challenged(http, project) -> None:
    answer = await http.get(project.balances)
    assert _gateway_error(answer, 401)["ReasonCode"] == "INVALID_AUTH_HEADER"
    assert answer.headers["www-authenticate"] == "Bearer"



def _not_from_the_gateway(answer: httpx.Response) -> None:
    errors = answer.json().get("Errors") if answer.status_code >= 400 else None
    if errors is not None:
        # Business errors hold one Error as an object (SPEC §8.3), several as a list.
        error = errors["Error"]
        first = error[0] if isinstance(error, list) else error
        assert first["Source"] != "Gateway", answer.text


async def test_a_request_token_is_refused_on_the_balance_paths(http, project) -> None:
    minter = RequestTokenMinter(project.consumer_key, project.key, project.certificate)
    answer = await http.get(project.balances,
                            headers={"Authorization": minter.authorization_header()})
    assert "access token" in _gateway_error(answer, 401)["Description"]
    # The same consumer's request tokens pass the gateway elsewhere, a POST under
    # .../accounts (account validation, not a Balance API) included.
    rates = await http.get(f"/send/v1/partners/{project.partner_id}/crossborder/rates",
                           headers={"Authorization": minter.authorization_header()})
    _not_from_the_gateway(rates)
    validation = await http.post(f"{project.balances}/validations", content=b"{}",
                                 headers={"Authorization": minter.authorization_header(),
                                          "Content-Type": "application/json"})
    _not_from_the_gateway(validation)


async def test_an_access_token_is_not_for_posts_under_accounts(http, project) -> None:
    token = await _access_token(http, project)
    validation = await http.post(f"{project.balances}/validations", content=b"{}",
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    assert _gateway_error(validation, 401)["ReasonCode"] == "DECLINED"


async def test_oauth1_from_a_psd2_consumer_is_refused(http, project) -> None:
    signer = OAuth1Signer(project.consumer_key, project.key)
    url = BASE + project.balances
    answer = await http.get(project.balances,
                            headers={"Authorization": signer.authorization_header("GET", url)})
    assert "OAuth 1.0a" in _gateway_error(answer, 401)["Description"]


async def test_health_still_answers(http) -> None:
    answer = await http.get("/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


async def test_the_authorization_server_needs_no_gateway_credentials(http, project) -> None:
    # /oauth2/ is outside the gateway: no Authorization header, no gateway envelope.
    answer = await http.post("/oauth2/token", data={"grant_type": "authorization_code"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client"


async def test_an_oauth1_project_has_no_redirect_uri(tmp_path) -> None:
    from xbsec.server.registry import Registry

    made = init_project(tmp_path / "oauth1", auth="oauth1")
    consumer = Registry.load(made.registry).get(made.consumer_key)
    assert consumer is not None
    assert consumer.redirect_uris == ()
    assert not consumer.psd2


async def test_the_metadata_names_the_configured_url(http) -> None:
    answer = await http.get("/.well-known/oauth-authorization-server",
                            headers={"Host": "elsewhere.example"})
    assert answer.status_code == 200
    assert answer.json()["issuer"] == BASE
    assert answer.json()["token_endpoint"] == f"{BASE}/oauth2/token"


@pytest.mark.parametrize("path", ["/.well-known/openid-configuration",
                                  "/.well-known/jwks.json"])
async def test_other_well_known_paths_are_404_not_a_gateway_refusal(http, path) -> None:
    answer = await http.get(path)
    assert answer.status_code == 404
    assert "Errors" not in answer.text


async def test_the_sandbox_needs_its_url(tmp_path) -> None:
    from xbsec.errors import ConfigurationError

    init_project(tmp_path / "p", auth="request-token")
    profile = tmp_path / "p" / "xbsec.toml"
    profile.write_text("\n".join(line for line in profile.read_text().splitlines()
                                 if not line.startswith("base_url")))
    with pytest.raises(ConfigurationError, match="issuer"):
        build_app(ServeOptions(str(tmp_path / "p")))
    app = build_app(ServeOptions(str(tmp_path / "p"), url="http://127.0.0.1:1",
                                 external_url="https://xbs.example"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:1") as client:
        metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == "https://xbs.example"  # the external URL wins


@pytest.mark.parametrize(("host", "port", "https", "url"), [
    ("127.0.0.1", 8080, False, "http://127.0.0.1:8080"),
    ("0.0.0.0", 8443, True, "https://127.0.0.1:8443"),  # noqa: S104
    ("::", 8080, False, "http://[::1]:8080"),
    ("::1", 8080, False, "http://[::1]:8080"),
    ("xbs.internal", 9000, True, "https://xbs.internal:9000"),
])
def test_the_listening_url(host, port, https, url) -> None:
    from xbsec.sandbox.serve import listening_url

    assert listening_url(host, port, https=https, have_external_url=False) == url


def test_port_0_needs_an_external_url() -> None:
    from xbsec.errors import ConfigurationError
    from xbsec.sandbox.serve import listening_url

    with pytest.raises(ConfigurationError, match="--external-url"):
        listening_url("127.0.0.1", 0, https=False, have_external_url=False)
    assert listening_url("127.0.0.1", 0, https=False, have_external_url=True) is None
