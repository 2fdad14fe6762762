"""The local XBS sandbox: the XBS business APIs emulated on SQLite, behind the gateway.

>>> app = create_sandbox_app("sandbox.db")          # doctest: +SKIP
>>> uvicorn.run(XBSGateway(app, registry=...))      # doctest: +SKIP

- ``app``: ``SandboxApp``, the ASGI application, and ``create_sandbox_app``;
- ``routes``: the endpoints, each serving one operation of ``xbsec.contract``, whose request
  schema checks its bodies and whose responses its answers match; one module per API:
  ``quotes``, ``payments``, ``confirmations``, ``carded_rates``, ``accounts``, ``bav``,
  ``guide``, ``rfi``, ``address_validation``, and the sandbox's own ``controls``;
- ``lifecycle`` and ``triggers``: payment statuses over time, and the values that choose them;
- ``rates``, ``pricing`` and ``money``: deterministic FX rates and fees, ``Decimal`` amounts,
  every ISO 4217 currency; ``countries``: every ISO 3166 country;
- ``store`` and ``schema``: the SQLite database (WAL, one transaction per request);
- ``validation`` and ``business_errors``: field checks and the XBS error envelope;
- ``conformance``: checking each answer against the contract (for test suites);
- ``project`` and ``serve``: ``xbsec sandbox init`` and ``xbsec sandbox serve``.

Documented trigger values (``triggers``, and the modules named): a ``transaction_reference``
ending ``TO`` times out (504 ``TIMEOUT``, the payment made and retrievable by ``?ref=``); a
payment of ``402.00`` is declined (402 ``DECLINE``); an amount ending ``.01`` or a reference
ending ``REJ`` ends ``REJECTED``, ``.02`` or ``RET`` ends ``SUCCESS`` then ``RETURNED``,
``.03`` or ``HOLD`` stays ``PENDING``; any other payment settles ``SUCCESS`` 60 seconds
after it is made; a payment of ``10000`` or more opens a request for information; a quote
reference used before is declined (``130202``); a payment must name its parties as its type
says (``transfer.require_parties``; ``require_kyc=False`` turns it off); only ``tel:`` and
``ewallet:`` payments can be cancelled, while pending. ``bav``: wrong IBAN check digits
fail, a card or account number ending ``0000`` is ineligible or closed, a bank whose BIC or
name starts ``ZZZZ`` is not found. ``guide``: a corridor outside ``CORRIDORS`` is
``RESOURCE_UNKNOWN``. ``address_validation``: postal code ``00000`` does not exist.
``POST /sandbox/payments/{payment_id}/status`` moves a payment at once. Proposals can be confirmed
for 10 minutes and paid for 30.

Names are imported on first use: ``xbsec.sandbox.project`` (``xbsec sandbox init``) works
without the ``server`` extra, which the application itself needs (``anyio``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face

if TYPE_CHECKING:
    from xbsec.sandbox.app import SandboxApp, create_sandbox_app
    from xbsec.sandbox.business_errors import Refusal, render_business_errors

__all__ = ["Refusal", "SandboxApp", "create_sandbox_app", "render_business_errors"]

_MODULE_OF = {"Refusal": "business_errors", "SandboxApp": "app", "create_sandbox_app": "app",
              "render_business_errors": "business_errors"}


__getattr__, __dir__ = lazy_face(__name__, _MODULE_OF, __all__, globals())
