"""XBSClient calls with the real members: mypy --strict accepts them and knows the results."""

from xbsec.client.xbs import AsyncXBSClient, XBSClient
from xbsec.contract.documents import Payment, QuoteConfirmation, RetrievePayment


def pay(xbs: XBSClient) -> Payment:
    quote = xbs.create_quote({
        "transaction_reference": "081700000000000ACFQ",
        "sender_account_uri": "tel:+2130000",
        "recipient_account_uri": "tel:+213070001",
        "payment_amount": {"amount": "100", "currency": "USD"},
        "payment_origination_country": "USA",
        "payment_type": "P2P",
        "quote_type": {"forward": {"receiver_currency": "MAD", "fees_included": "true"}},
    })
    proposal = quote["proposals"]["proposal"][0]
    return xbs.create_payment({"transaction_reference": "081700000000000RMFQ",
                               "proposal_id": proposal["id"]})


async def settle(xbs: AsyncXBSClient, payment_id: str) -> RetrievePayment:
    accounts = await xbs.balances(include_balance=True)
    assert accounts[0]["accountId"]
    return await xbs.set_payment_status(payment_id, "SUCCESS")


def confirm(xbs: XBSClient) -> QuoteConfirmation:
    confirmation = xbs.confirm_quote("081700000000000ACFQ", "pen_1")
    assert confirmation["status"] in ("CONFIRMED", "PENDING", "REJECTED")
    return confirmation
