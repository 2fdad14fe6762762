"""Accept: the request's format, unless the caller asked for a specific one."""

from __future__ import annotations

from typing import Any

import pytest

from xbsec.client import ClientPipeline, OAuth1Auth
from xbsec.oauth1 import OAuth1Signer


@pytest.fixture
def pipeline(rsa_key_2048: Any) -> ClientPipeline:
    return ClientPipeline(OAuth1Auth(OAuth1Signer("ck!123", rsa_key_2048)))


@pytest.mark.parametrize("given", [None, "*/*", " */* "])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_no_preference_asks_for_the_request_format(pipeline: ClientPipeline, given: str | None,
                                                   fmt: str) -> None:
    headers = {"Content-Type": f"application/{fmt}"}
    if given is not None:
        headers["accept"] = given  # any case: requests and httpx send "*/*" by default
    out = pipeline.request("POST", "https://example.com/x", body=b"{}", headers=headers)
    assert out.headers["Accept"] == f"application/{fmt}"
    assert "accept" not in out.headers


@pytest.mark.parametrize("given", ["application/xml", "application/json, */*;q=0.1"])
def test_a_specific_accept_is_kept(pipeline: ClientPipeline, given: str) -> None:
    out = pipeline.request("GET", "https://example.com/x", headers={"Accept": given})
    assert out.headers["Accept"] == given
