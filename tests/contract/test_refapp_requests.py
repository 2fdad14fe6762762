"""Every request body of Mastercard's reference app matches the contract, as the real API
accepts them all (FIDELITY §4); and bodies the real API refuses do not match."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.contract.conftest import refapp_dir
from xbsec.contract import JSON, XML, request_validator
from xbsec.documents import loads
from xbsec.errors import PayloadError

# The README's table: file -> operations it is sent to.
ENDPOINTS = {
    "quote-forward-fees-included": ["create_quote"],
    "quote-forward-fees-not-included": ["create_quote"],
    "quote-reverse": ["create_quote"],
    "payment-with-quote": ["create_payment"],
    "payment-oneshot-p2b-fwd-fees-not-included": ["create_payment"],
    "payment-oneshot-b2b": ["create_payment"],
    "payment-oneshot-g2p": ["create_payment"],
    "payment-oneshot-reverse": ["create_payment"],
    "payment-bad-proposal": ["create_payment"],
    "cancel-payment": ["cancel_payment"],
    "quote-confirmation": ["confirm_quote", "cancel_confirmed_quote"],
    "cancel-confirmed-quote": ["cancel_confirmed_quote"],
    "rfi-update-request": ["update_rfi_request"],
    "rfi-upload-document": ["upload_rfi_document"],
    "bav-generate-iban": ["generate_ibans"],
    "bav-validate-iban": ["validate_account"],
    "bav-validate-card-eligibility": ["validate_account"],
    "bav-validate-account-status": ["validate_account"],
    "bav-bank-info-lookup": ["bank_details"],
}
FILES = ["bav-bank-info-lookup.json", "bav-generate-iban.json",
         "bav-validate-account-status.json", "bav-validate-card-eligibility.json",
         "bav-validate-iban.json", "cancel-confirmed-quote.json", "cancel-payment.json",
         "cancel-payment.xml", "payment-bad-proposal.json", "payment-oneshot-b2b.json",
         "payment-oneshot-g2p.json", "payment-oneshot-p2b-fwd-fees-not-included.json",
         "payment-oneshot-p2b-fwd-fees-not-included.xml", "payment-oneshot-reverse.json",
         "payment-with-quote.json", "payment-with-quote.xml", "quote-confirmation.json",
         "quote-forward-fees-included.json", "quote-forward-fees-included.xml",
         "quote-forward-fees-not-included.json", "quote-forward-fees-not-included.xml",
         "quote-reverse.json", "quote-reverse.xml", "rfi-update-request.json",
         "rfi-upload-document.json"]


def _read(name: str) -> Any:
    path = refapp_dir() / name
    return loads(path.read_bytes(), "xml" if path.suffix == ".xml" else "json")


def test_the_tests_cover_every_file_of_the_reference_app() -> None:
    found = sorted(p.name for p in refapp_dir().iterdir() if p.suffix in (".json", ".xml"))
    assert found == FILES
    assert len(FILES) == 25
    assert {Path(name).stem for name in FILES} == set(ENDPOINTS)


@pytest.mark.parametrize("name", FILES)
def test_each_reference_app_body_matches_its_endpoint(name: str) -> None:
    document = _read(name)
    media_type = XML if name.endswith(".xml") else JSON
    for operation_id in ENDPOINTS[Path(name).stem]:
        validator = request_validator(operation_id, media_type)
        assert validator.problems(document) == (), (name, operation_id)
        validator.validate(document)


def test_xml_bodies_come_out_shaped_like_their_json_twins() -> None:
    for stem in ("quote-forward-fees-included", "quote-reverse", "payment-with-quote",
                 "payment-oneshot-p2b-fwd-fees-not-included"):
        operation_id = ENDPOINTS[stem][0]
        from_xml = request_validator(operation_id, XML).validate(_read(f"{stem}.xml"))
        from_json = _read(f"{stem}.json")
        (root,) = from_xml
        assert set(from_json) == {root}
        # Same members once the JSON's nulls and the XML's camelCase extras are set aside.
        json_members = {k for k, v in from_json[root].items() if v is not None}
        xml_members = {k for k, v in from_xml[root].items() if v is not None}
        assert json_members - {"additional_data"} <= xml_members, stem
    quote = request_validator("create_quote", XML).validate(_read("quote-reverse.xml"))
    assert quote["quoterequest"]["bank_code"] is None  # xsi:nil
    payment = request_validator("create_payment", XML).validate(
        _read("payment-oneshot-p2b-fwd-fees-not-included.xml"))["paymentrequest"]
    assert payment["additional_data"] is None  # <additional_data/>
    assert payment["card_rate_id"] is None
    assert payment["sender"]["government_ids"] == {"government_id_uri": [
        "ppn:123456789;expiration-date=2019-05-27;issue-date=2011-07-12;country=USA"]}
    cancel = request_validator("cancel_payment", XML).validate(_read("cancel-payment.xml"))
    assert cancel == {"cancelpaymentrequest": {}}


def _problems(operation_id: str, document: Any) -> set[tuple[str, str]]:
    return {(p.source, p.keyword) for p in request_validator(operation_id).problems(document)}


def _quote(**changes: Any) -> dict[str, Any]:
    quote = dict(_read("quote-reverse.json")["quoterequest"])
    quote.update(changes)
    return {"quoterequest": {k: v for k, v in quote.items() if v != "DROP"}}


def test_a_missing_required_member_is_named() -> None:
    assert _problems("create_quote", _quote(payment_amount="DROP")) == {
        ("quoterequest.payment_amount", "required")}
    amount = {"amount": "100"}
    assert _problems("create_quote", _quote(payment_amount=amount)) == {
        ("quoterequest.payment_amount.currency", "required")}


def test_wrong_values_are_refused_with_their_keyword() -> None:
    problems = _problems("create_quote", _quote(
        payment_amount={"amount": "1" * 19, "currency": "usd"}, payment_type="C2C",
        transaction_reference="x" * 41))
    assert problems == {("quoterequest.payment_amount.amount", "maxLength"),
                        ("quoterequest.payment_amount.currency", "pattern"),
                        ("quoterequest.payment_type", "enum"),
                        ("quoterequest.transaction_reference", "maxLength")}


def test_forward_and_reverse_together_are_refused_but_a_null_one_is_absent() -> None:
    both = {"forward": {"fees_included": "true"}, "reverse": {"sender_currency": "USD"}}
    assert _problems("create_quote", _quote(quote_type=both)) == {
        ("quoterequest.quote_type", "not")}
    assert _problems("create_quote", _quote(quote_type={**both, "reverse": None})) == set()
    assert _problems("create_quote", _quote(quote_type={"forward": {"fees_included": True}})) \
        == set()  # a JSON boolean is accepted too (chosen)


def test_a_one_shot_payment_needs_every_transfer_member() -> None:
    payment = dict(_read("payment-oneshot-b2b.json")["paymentrequest"])
    del payment["payment_type"]
    assert _problems("create_payment", {"paymentrequest": payment}) == {
        ("paymentrequest.payment_type", "required")}
    # With a proposal, the quote's members need not be repeated (GEN).
    payment["proposal_id"] = "pen_400000034542210"
    assert _problems("create_payment", {"paymentrequest": payment}) == set()


def test_the_invented_shapes_of_the_old_sandbox_are_refused() -> None:
    confirmation = {"quoteconfirmation": {"transaction_reference": "t1", "proposal_id": "p1"}}
    assert _problems("confirm_quote", confirmation) >= {("transactionReference", "required"),
                                                        ("proposalId", "required")}
    assert _problems("validate_account", {"accountvalidation": {"iban": "GB33BUKB2020155555"}}) \
        == {("accountUri", "required")}
    assert _problems("generate_ibans", {"ibangeneration": {"country": "DE", "bban": "1"}})
    assert _problems("update_rfi_request", {"answers": [{"question_id": "Q1", "answer": "x"}]})
    with pytest.raises(PayloadError, match="does not match the XBS contract"):
        request_validator("bank_details").validate({"bankdetails": {"bic": "DEUTDEFF"}})


def test_problem_messages_do_not_echo_large_values() -> None:
    upload = _read("rfi-upload-document.json")
    upload["uploadDocumentRequest"]["file"] = "!" * 100_000
    (problem,) = request_validator("upload_rfi_document").problems(upload)
    assert problem.source == "uploadDocumentRequest.file"
    assert problem.keyword == "pattern"
    assert len(problem.message) <= 200
