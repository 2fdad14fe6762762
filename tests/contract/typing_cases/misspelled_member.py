"""A quote request with a misspelled member: mypy --strict must refuse it."""

from xbsec.contract.documents import PaymentAmount, QuoteRequest

amount: PaymentAmount = {"amount": "100", "currency": "USD"}
request: QuoteRequest = {
    "transaction_reference": "081700000000000ACFQ",
    "sender_account_uri": "tel:+2130000",
    "recipient_account_uri": "tel:+213070001",
    "payment_amount": amount,
    "payment_origination_country": "USA",
    "payment_type": "P2P",
    "bank_cod": "NP021",
}
