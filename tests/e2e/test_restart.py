"""A sandbox restarted on the same project still has every payment it acknowledged."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.documents import new_reference, payment_for, proposal_id, quote_for
from tests.e2e.sandbox_process import Servers, init_project
from tests.sandbox.samples import count_rows

pytestmark = pytest.mark.slow


def _in_json(payment: Any) -> Any:
    """A payment as a JSON answer writes it: XML answers carry milliseconds on timestamps."""
    return json.loads(re.sub(r"\.000([+-]\d\d:\d\d)", r"\1", json.dumps(payment)))


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL],
                         ids=["stopped", "killed"])
def test_every_acknowledged_payment_survives_a_restart(tmp_path: Path, servers: Servers,
                                                       stop_signal: int) -> None:
    project = init_project(tmp_path / "project")
    server = servers.start(project)
    acknowledged: list[dict[str, Any]] = []
    for fmt, encrypted in [("json", True), ("xml", True), ("json", False), ("xml", False)]:
        with project.client(server, format=fmt, encrypted=encrypted) as xbs:
            for _ in range(2):
                reference = new_reference()
                quote = xbs.create_quote(quote_for(reference))
                acknowledged.append(xbs.create_payment(payment_for(reference,
                                                                   proposal_id(quote))))
    with project.client(server) as xbs:
        assert xbs.cancel_payment(acknowledged[0]["id"]) == {"status": "SUCCESS"}
        acknowledged[0] = xbs.retrieve_payment(acknowledged[0]["id"])
    assert acknowledged[0]["status"] == "REJECTED"

    assert server.stop(stop_signal) is not None
    assert not server.running
    server.fixed_port = True  # the profile's base URL names this port
    server.start()

    assert count_rows(project.database, "payments") == len(acknowledged)
    with project.client(server) as xbs:
        for payment in map(_in_json, acknowledged):
            assert xbs.retrieve_payment(payment["id"]) == payment
            assert xbs.retrieve_payment_by_reference(payment["transaction_reference"]) == payment
