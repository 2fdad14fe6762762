"""The local XBS sandbox: the XBS business APIs emulated on SQLite, behind the gateway.

>>> app = create_sandbox_app("sandbox.db")          # doctest: +SKIP
>>> uvicorn.run(XBSGateway(app, registry=...))      # doctest: +SKIP

- ``app``: ``SandboxApp``, the ASGI application, and ``create_sandbox_app``;
- ``routes``: the endpoints (SPEC §8.1), one module per API: ``quotes``, ``payments``,
  ``confirmations``, ``carded_rates``, ``accounts``, ``bav``, ``guide``, ``rfi``;
- ``rates`` and ``money``: deterministic FX rates and fees, ``Decimal`` amounts;
- ``store`` and ``schema``: the SQLite database (WAL, one transaction per request);
- ``validation`` and ``business_errors``: field checks and the XBS error envelope.

Documented trigger values: a payment of ``402.00`` is declined (402 ``DECLINE``), a payment
of ``10000`` or more opens a request for information, a BIC with bank code ``ZZZZ`` is an
unknown bank (404). Proposals expire 30 minutes after the quote.
"""

from xbsec.sandbox.app import SandboxApp, create_sandbox_app
from xbsec.sandbox.business_errors import Refusal, render_business_errors

__all__ = ["Refusal", "SandboxApp", "create_sandbox_app", "render_business_errors"]
