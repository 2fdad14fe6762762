"""`xbsec sandbox init --webhook-url` and `xbsec webhooks listen`: the files, the JSON keys,
and the one-line errors (the listener itself runs in tests/e2e/test_push_notifications.py)."""

from __future__ import annotations

import ipaddress
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from xbsec.cli.webhooks_cmd import _FailFirst, _printer
from xbsec.keys import load_certificate
from xbsec.webhooks import Delivery, parse_event


def test_init_names_the_push_files_and_the_webhook_url(run: Any, tmp_path: Path) -> None:
    url = "https://hooks.example.test:8443/xbs"
    result = run("sandbox", "init", "--dir", str(tmp_path / "p"), "--webhook-url", url,
                 "--json")
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert made["webhook_url"] == url
    for name in ("webhook_client_ca", "webhook_server_cert", "webhook_server_key"):
        assert Path(made[name]).is_file(), name
    assert stat.S_IMODE(Path(made["webhook_server_key"]).stat().st_mode) == 0o600
    server = load_certificate(made["webhook_server_cert"])
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"localhost", "hooks.example.test"}
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    # The sandbox trusts the CA of that server certificate, and its client certificate is
    # issued by the CA a receiver trusts.
    folder = tmp_path / "p" / "server"
    server.verify_directly_issued_by(load_certificate(folder / "webhook-server-ca.pem"))
    load_certificate(folder / "webhook-client.pem").verify_directly_issued_by(
        load_certificate(made["webhook_client_ca"]))
    assert f'url = "{url}"' in (folder / "webhooks.toml").read_text()


def test_init_without_a_webhook_url_pushes_nothing(run: Any, tmp_path: Path) -> None:
    result = run("sandbox", "init", "--dir", str(tmp_path / "p"), "--json")
    made = json.loads(result.output)
    assert made["webhook_url"] is None
    assert Path(made["webhook_client_ca"]).is_file()
    text = run("sandbox", "init", "--dir", str(tmp_path / "q"))
    assert "webhook_url" in text.output
    assert "(none: no pushes)" in text.output


def test_a_webhook_url_that_is_not_https_is_refused(run: Any, tmp_path: Path) -> None:
    result = run("sandbox", "init", "--dir", str(tmp_path / "p"), "--webhook-url",
                 "http://127.0.0.1:8443/")
    assert result.exit_code == 2
    assert "https://" in result.output
    assert not (tmp_path / "p").exists()


def test_listen_needs_a_projects_push_files_and_a_port(run: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("webhooks", "listen", "--dir", str(empty), "--port", "9")
    assert result.exit_code == 2
    assert "no push TLS files" in result.output
    assert run("sandbox", "init", "--dir", str(tmp_path / "p")).exit_code == 0
    result = run("webhooks", "listen", "--dir", str(tmp_path / "p"))
    assert result.exit_code == 2
    assert "give --port" in result.output
    result = run("webhooks", "listen", "--dir", str(tmp_path / "p"), "--port", "9",
                 "--redis", "redis://127.0.0.1:1/0", "--store-file", str(tmp_path / "e.db"))
    assert result.exit_code == 2
    assert "not both" in result.output


def test_the_printer_writes_handled_and_duplicate_deliveries_out_and_the_rest_to_stderr(
        capsys: Any) -> None:
    handle, observe = _printer(fail_first=1)
    event = parse_event({"eventRef": "r-1", "rates": {}})
    with pytest.raises(_FailFirst):
        handle(event)
    handle(event)  # the second delivery is handled
    observe(Delivery(500, event, reason="HANDLER_FAILED"))
    observe(Delivery(200, event))
    observe(Delivery(200, event, duplicate=True))
    observe(Delivery(403, None, reason="CLIENT_CERTIFICATE_REQUIRED"))
    out, err = capsys.readouterr()
    assert [json.loads(line) for line in out.splitlines()] == [
        {"eventRef": "r-1", "type": "cardedRate", "duplicate": False,
         "payload": {"eventRef": "r-1", "rates": {}}},
        {"eventRef": "r-1", "type": "cardedRate", "duplicate": True,
         "payload": {"eventRef": "r-1", "rates": {}}}]
    assert [json.loads(line) for line in err.splitlines()] == [
        {"eventRef": "r-1", "type": "cardedRate", "status": 500, "reason": "FAIL_FIRST"},
        {"eventRef": None, "type": None, "status": 403,
         "reason": "CLIENT_CERTIFICATE_REQUIRED"}]
