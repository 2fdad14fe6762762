"""Documents written with the right members and types: mypy --strict accepts them."""

from xbsec.contract.documents import Account, Payment, Proposal, QuoteRequest, RetrievePayment

request: QuoteRequest = {
    "transaction_reference": "081700000000000ACFQ",
    "sender_account_uri": "tel:+2130000",
    "recipient_account_uri": "tel:+213070001",
    "payment_amount": {"amount": "100", "currency": "USD"},
    "payment_origination_country": "USA",
    "payment_type": "P2P",
    "quote_type": {"forward": {"fees_included": "true", "receiver_currency": "MAD"},
                   "reverse": None},
    "bank_code": None,
}


def rate(proposal: Proposal) -> str:
    return proposal["quote_fx_rate"] if proposal["fees_included"] else ""


def finished(payment: Payment | RetrievePayment) -> bool:
    return payment["status"] in ("SUCCESS", "REJECTED", "RETURNED")


def available(account: Account) -> str | None:
    details = account.get("balanceDetails")
    if details is None or "availableBalance" not in details:
        return None
    return details["availableBalance"]["amount"]
