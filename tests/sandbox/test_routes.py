"""Each sandbox route serves the contract operation it names: the same method and path,
and the formats the operation answers in."""

from __future__ import annotations

import re

import pytest

from xbsec.contract import JSON, XML, operation, operation_ids
from xbsec.sandbox.routes import ROUTES, Route

FORMATS = {JSON: "json", XML: "xml"}


def test_every_operation_has_a_route_and_no_route_is_outside_the_contract() -> None:
    served = [route.operation_id for route in ROUTES]
    assert len(served) == len(set(served))
    assert set(served) == {op for op in operation_ids() if not operation(op).webhook}


@pytest.mark.parametrize("route", ROUTES, ids=[route.operation_id for route in ROUTES])
def test_the_route_is_its_operation(route: Route) -> None:
    op = operation(route.operation_id)
    assert route.method == op.method
    example = re.sub(r"\{[^}]+\}", "x", op.path)
    assert route.pattern.fullmatch(example)
    answered = {FORMATS[media] for media in op.response_media_types(200)}
    assert route.formats == answered
    for media in op.request_media_types:
        assert FORMATS[media] in route.formats
