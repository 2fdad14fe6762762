"""The sandbox's documented trigger values: how an integrator makes each outcome happen.

Like a payment provider's test cards, some values in a request choose what the sandbox does
with it. Every one is listed here and in the README:

===================================================  ==============================================
value                                                outcome
===================================================  ==============================================
``transaction_reference`` ending ``TO``              the quote or payment is made, but the answer
                                                     is 504 Source ``Service`` ReasonCode
                                                     ``TIMEOUT`` (as Mastercard's sandbox times
                                                     out); the payment can be retrieved by
                                                     ``?ref=``
payment amount ``402.00`` (any currency)             402 ``DECLINE``, ``payment_amount.amount``
amount ending ``.01``, or reference ending ``REJ``   the payment ends ``REJECTED``
amount ending ``.02``, or reference ending ``RET``   it ends ``SUCCESS``, then ``RETURNED``
amount ending ``.03``, or reference ending ``HOLD``  it stays ``PENDING`` until
                                                     ``POST /sandbox/payments/{id}/status``
any other payment                                    ``PENDING``, then ``SUCCESS``
payment amount of 10000 or more                      a request for information is opened
===================================================  ==============================================

"Amount" is the payment's ``payment_amount`` (for a payment with a quote, the quote's). A
payment settles ``SETTLEMENT_SECONDS`` after it is made and is returned ``RETURN_SECONDS``
after that, by the sandbox's clock, so a test moves its clock instead of sleeping; the
control endpoint moves a payment at once. The BAV, Endpoint Guide and Address Validation
triggers are in their modules (``bav``, ``guide``, ``address_validation``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal

__all__ = ["DECLINE_AMOUNT", "RETURN_SECONDS", "RFI_THRESHOLD", "SETTLEMENT_SECONDS", "Outcome",
           "outcome", "times_out"]

Outcome = Literal["SUCCESS", "REJECTED", "RETURNED", "HOLD"]

DECLINE_AMOUNT: Final = Decimal("402.00")
RFI_THRESHOLD: Final = Decimal(10_000)
SETTLEMENT_SECONDS: Final = 60.0
RETURN_SECONDS: Final = 60.0
_BY_CENTS: Final[dict[Decimal, Outcome]] = {Decimal("0.01"): "REJECTED",
                                            Decimal("0.02"): "RETURNED",
                                            Decimal("0.03"): "HOLD"}
_BY_SUFFIX: Final[tuple[tuple[str, Outcome], ...]] = (("REJ", "REJECTED"), ("RET", "RETURNED"),
                                                      ("HOLD", "HOLD"))


def times_out(transaction_reference: str) -> bool:
    return transaction_reference.endswith("TO")


def outcome(transaction_reference: str, amount: Decimal) -> Outcome:
    """How a new payment ends, by its reference and amount (see the table)."""
    for suffix, found in _BY_SUFFIX:
        if transaction_reference.endswith(suffix):
            return found
    return _BY_CENTS.get(amount - amount.to_integral_value(rounding="ROUND_FLOOR"), "SUCCESS")
