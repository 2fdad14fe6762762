"""A corpus of request shapes that exercise every query-string rule of SPEC §2.5."""

from __future__ import annotations

BODIES: list[bytes] = [
    b"",
    b'{"quoterequest":{"amount":"100.00"}}',
    '{"foõ":"bär","emoji":"💸"}'.encode(),
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<quoterequest><a>1</a></quoterequest>',
]

URLS: list[str] = [
    "https://sandbox.api.mastercard.com/send/v1/partners/SANDBOX_1/crossborder/quotes",
    "https://sandbox.api.mastercard.com/send/v1/partners/SANDBOX_1/crossborder?ref=0999999034810154901",
    "https://SANDBOX.Api.Mastercard.com:443/send/v1/partners/P/crossborder/rates",
    "http://localhost:80/send/v1/partners/P/crossborder",
    "http://127.0.0.1:8080/send/v1/partners/P/crossborder?include_balance=true",
    "https://api.mastercard.com:8443/a/b?x=1",
    "https://api.mastercard.com",
    "https://api.mastercard.com?only=query",
    "https://api.mastercard.com/r%20v/X?id=123",
    "https://api.mastercard.com/p?param=token1:token2",
    "https://api.mastercard.com/p?param=token1%3Atoken2",
    "https://api.mastercard.com/p?colon=%3A&plus=%2B&comma=%2C",
    "https://api.mastercard.com/p?q=a+b",
    "https://api.mastercard.com/p?q=a+b&r=%3A",
    "https://api.mastercard.com/p?offset=1&offset=0&offset=10",
    "https://api.mastercard.com/p?b=2&a=1&a=0&a1=z&empty&odd=",
    "https://api.mastercard.com/p?Format=XML&PageOffset=0&PageLength=10",
    "https://api.mastercard.com/p?0=0&A=A&A=a&B=B&a=A&a=a&b=b",
    "https://api.mastercard.com/p?name=%C3%A9t%C3%A9&x=%E2%82%AC",
    "https://api.mastercard.com/crossborder/endpoint-guide/specifications?payment_type=P2P"
    "&destination_payment_instrument=BANK&destination_country=FRA&destination_currency=EUR",
    "https://api.mastercard.com/p?star=a*b&bang=x!y&tilde=~",
    "https://api.mastercard.com/p?star=a%2Ab&bang=x%21y",
    "https://api.mastercard.com/p?a=1#fragment",
]

METHODS = ["GET", "POST"]
