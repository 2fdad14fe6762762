"""documents.py is generated from the contract and never drifts from it."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest

from xbsec.contract import _codegen, documents
from xbsec.contract._document import loaded
from xbsec.errors import ConfigurationError

GENERATED = Path(_codegen.__file__).with_name("documents.py")


def test_the_committed_documents_module_is_what_the_contract_generates() -> None:
    assert GENERATED.read_text(encoding="utf-8") == _codegen.render(loaded()), \
        "documents.py is out of date: run python -m xbsec.contract._codegen"


def test_the_check_mode_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    assert _codegen.main(["--check"]) == 0
    assert capsys.readouterr().err == ""


def test_every_object_schema_is_a_typeddict_with_its_required_members() -> None:
    schemas = loaded()["components"]["schemas"]
    checked = 0
    for name, schema in schemas.items():
        if "properties" not in schema:
            continue
        typed = getattr(documents, name)
        required = set(schema.get("required", ()))
        assert typed.__required_keys__ == required, name
        assert typed.__optional_keys__ == set(schema["properties"]) - required, name
        checked += 1
    assert checked > 100
    assert set(documents.__all__) >= {"QuoteRequest", "Quote", "Proposal", "PaymentRequest",
                                      "Payment", "Account", "BalanceDetails", "Errors"}


def test_enumerations_nulls_and_arrays_become_their_types() -> None:
    hints = typing.get_type_hints(documents.Proposal)
    assert hints["fees_included"] is bool
    assert typing.get_args(documents.PaymentStatus) == ("PENDING", "SUCCESS", "REJECTED",
                                                        "RETURNED")
    assert typing.get_args(documents.PaymentType) == ("P2P", "P2B", "B2P", "B2B", "G2P")
    quote_request = typing.get_type_hints(documents.QuoteRequest)
    assert quote_request["bank_code"] == str | None
    assert typing.get_origin(typing.get_type_hints(documents.Proposals)["proposal"]) is list
    assert typing.get_args(documents.Accounts) == (documents.Account,)


def _render(schemas: dict[str, Any]) -> str:
    return _codegen.render({"components": {"schemas": schemas}})


def test_wire_names_that_are_not_identifiers_use_the_functional_syntax() -> None:
    source = _render({"Odd": {"type": "object", "description": "Odd names.",
                              "required": ["Partner-Ref-Id"],
                              "properties": {"Partner-Ref-Id": {"type": "string"},
                                             "class": {"type": ["integer", "null"]}}}})
    assert 'Odd = TypedDict("Odd", {' in source
    assert '    "Partner-Ref-Id": Required[str],' in source
    assert '    "class": int | None,' in source
    assert "}, total=False)" in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102 - our own output
    assert namespace["Odd"].__required_keys__ == {"Partner-Ref-Id"}


def test_the_required_list_picks_required_or_not_required() -> None:
    few = _render({"Few": {"type": "object", "required": ["a"], "properties": {
        "a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}}})
    assert "class Few(TypedDict, total=False):" in few
    assert "    a: Required[str]" in few
    many = _render({"Many": {"type": "object", "required": ["a", "b"], "properties": {
        "a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}}})
    assert "class Many(TypedDict):" in many
    assert "    c: NotRequired[str]" in many


def test_an_unnamed_object_with_members_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="named component"):
        _render({"Outer": {"type": "object", "properties": {
            "inner": {"type": "object", "properties": {"x": {"type": "string"}}}}}})


def test_the_output_is_deterministic_and_ruff_clean(tmp_path: Path) -> None:
    import subprocess
    import sys

    first = _codegen.render(loaded())
    assert first == _codegen.render(loaded())
    target = tmp_path / "documents.py"
    target.write_text(first, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                             "--config", str(Path(__file__).parents[2] / "pyproject.toml"),
                             str(target)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
