"""requests: XBSSession's ``cafile=`` verifies the server even when the environment names a
CA bundle ($REQUESTS_CA_BUNDLE, $CURL_CA_BUNDLE), which requests would otherwise let replace
a session's own ``verify`` on every request."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from xbsec.integrations.requests import XBSSession


class RecordingAdapter(BaseAdapter):
    """Answers 200 to anything, remembering the ``verify`` each request was sent with."""

    def __init__(self) -> None:
        super().__init__()
        self.verify: list[Any] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.verify.append(kwargs.get("verify"))
        response = requests.Response()
        response.status_code = 200
        response.request = request
        response._content = b"{}"
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def bundle_in_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> str:
    bundle = str(tmp_path / "environment-bundle.pem")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    monkeypatch.setenv("CURL_CA_BUNDLE", bundle)
    return bundle


def session(make_profile: Any, **options: Any) -> tuple[XBSSession, RecordingAdapter]:
    made = XBSSession(make_profile(encryption=False), **options)
    adapter = RecordingAdapter()
    made.mount("https://", adapter)
    made.mount("http://", adapter)
    return made, adapter


def test_cafile_is_used_whatever_the_environment_says(make_profile: Any, tmp_path: Any,
                                                      bundle_in_environment: str) -> None:
    cafile = tmp_path / "ca.pem"
    made, adapter = session(make_profile, cafile=cafile)
    with made:
        made.get("/send/x")
        made.get("/send/x", verify=False)  # what the caller says for one request wins
    assert adapter.verify == [str(cafile), False]


def test_without_cafile_the_environment_applies(make_profile: Any,
                                                bundle_in_environment: str) -> None:
    made, adapter = session(make_profile)
    with made:
        made.get("/send/x")
    assert adapter.verify == [bundle_in_environment]
