"""What a client says about its requests: debug logs without secrets, Retry-After read as
RFC 9110 says, and a proxy from the profile actually used."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from xbsec.client.pipeline import retry_after_seconds
from xbsec.client.xbs import XBSClient
from xbsec.errors import ConfigurationError
from xbsec.profile import load_profile

QUOTE = {"transaction_reference": "0999999034810154901", "sender": {"name": "Zoë Secret"}}


def test_debug_logs_say_what_was_signed_and_never_a_secret(make_profile, loopback,
                                                            caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="xbsec.client")
    with XBSClient(make_profile()) as xbs:
        xbs.create_quote(QUOTE)  # type: ignore[arg-type]
    lines = [r.getMessage() for r in caplog.records if r.name == "xbsec.client"]
    sent, answered = lines[-2], lines[-1]
    assert sent.startswith(f"POST {loopback.url}/send/v1/partners/SANDBOX_1234567/"
                           "crossborder/quotes: <")
    assert " json encrypted, signed OAuth " in sent
    assert "oauth_consumer_key=ck!123" in sent
    assert "oauth_body_hash=" in sent
    assert "oauth_signature=" not in sent
    assert answered.startswith("POST ")
    assert ": HTTP 200, <" in answered
    assert " decrypted, request id " in answered
    everything = "\n".join(lines)
    for secret in ("Zoë", "Secret", "keystorepassword", "mc-secret", "encrypted_payload"):
        assert secret not in everything


def test_a_request_token_is_logged_by_its_length_only(make_profile, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="xbsec.client")
    with XBSClient(make_profile(auth="request-token")) as xbs:
        xbs.carded_rates()
    sent = next(r.getMessage() for r in caplog.records if "signed" in r.getMessage())
    assert "signed Bearer … (" in sent
    assert " characters)" in sent
    assert "eyJ" not in sent


def test_retry_after_is_seconds_or_an_http_date() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    earlier = format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(" 7 ") == 7.0
    assert retry_after_seconds(later, now=now.timestamp()) == 90.0
    assert retry_after_seconds(earlier, now=now.timestamp()) == 0.0
    for unreadable in (None, "", "-5", "1.5", "soon", "Mon, 99 Foo 2026 25:61:00 GMT"):
        assert retry_after_seconds(unreadable) is None
    assert retry_after_seconds("9" * 40) == 999_999_999.0


class _Proxy:
    """A forward HTTP proxy on loopback that records the requests it relayed."""

    def __init__(self) -> None:
        self.relayed: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _relay(self) -> None:
                proxy.relayed.append(f"{self.command} {self.path}")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "proxy-connection", "connection")}
                answer = httpx.request(self.command, self.path, headers=headers, content=body)
                self.send_response(answer.status_code)
                for name in ("Content-Type", "X-Request-Id"):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _relay

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _with_proxy(profile: Any, proxy: str, tmp_path: Path) -> Path:
    text = Path(profile.source).read_text().replace(
        'auth = "oauth1"', f'auth = "oauth1"\nproxy = "{proxy}"')
    path = tmp_path / "proxied.toml"
    path.write_text(text)
    return path


def test_the_profiles_proxy_carries_the_calls(make_profile, loopback, tmp_path) -> None:
    proxy = _Proxy()
    try:
        profile = load_profile(path=_with_proxy(make_profile(), proxy.url, tmp_path),
                               environ={})
        assert profile.proxy == proxy.url
        with XBSClient(profile) as xbs:
            assert xbs.create_quote(QUOTE)["echo"]["method"] == "POST"  # type: ignore[arg-type, typeddict-item]
    finally:
        proxy.close()
    assert proxy.relayed == [f"POST {loopback.url}/send/v1/partners/SANDBOX_1234567/"
                             "crossborder/quotes"]


@pytest.mark.parametrize(("proxy", "message"), [
    ("proxy.example:3128", "is not a proxy URL"),
    ("ftp://proxy.example", "is not a proxy URL"),
    ("http://user:pw@proxy.example:3128", "holds credentials, which a profile file must not"),
])
def test_a_bad_proxy_in_the_profile_is_named(make_profile, tmp_path, proxy, message) -> None:
    with pytest.raises(ConfigurationError, match=message) as info:
        load_profile(path=_with_proxy(make_profile(), proxy, tmp_path), environ={})
    assert "pw" not in str(info.value).replace("proxy", "")


def test_a_proxy_and_a_given_http_client_do_not_mix(make_profile) -> None:
    with pytest.raises(ConfigurationError, match="cafile= and proxy= cannot be applied"):
        XBSClient(make_profile(), http=httpx.Client(), proxy="http://127.0.0.1:1")
