"""XBSClient calls with misspelled members, in and out: mypy --strict must refuse each."""

from xbsec.client.xbs import AsyncXBSClient, XBSClient


def pay(xbs: XBSClient) -> str:
    quote = xbs.create_quote({
        "transaction_reference": "081700000000000ACFQ",
        "sender_account_uri": "tel:+2130000",
        "recipient_account_uri": "tel:+213070001",
        "payment_amount": {"amount": "100", "currency": "USD"},
        "payment_origination_country": "USA",
        "payment_type": "P2P",
        "quote_typ": {"forward": {"receiver_currency": "MAD"}},
    })
    proposal = quote["proposals"]["proposal"][0]
    payment = xbs.create_payment({"transaction_reference": "081700000000000RMFQ",
                                  "proposal_id": proposal["id"]})
    return payment["statuss"]


async def balances(xbs: AsyncXBSClient) -> str:
    accounts = await xbs.balances(include_balance=True)
    return accounts[0]["accountID"]


def confirm(xbs: XBSClient) -> str:
    confirmation = xbs.confirm_quote("081700000000000ACFQ", "pen_1")
    return confirmation["proposal_id"]
