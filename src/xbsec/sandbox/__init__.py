"""The local XBS sandbox: the XBS business APIs emulated on SQLite, behind the gateway.

>>> app = create_sandbox_app("sandbox.db")          # doctest: +SKIP
>>> uvicorn.run(XBSGateway(app, registry=...))      # doctest: +SKIP

- ``app``: ``SandboxApp``, the ASGI application, and ``create_sandbox_app``;
- ``routes``: the endpoints (SPEC §8.1), one module per API: ``quotes``, ``payments``,
  ``confirmations``, ``carded_rates``, ``accounts``, ``bav``, ``guide``, ``rfi``;
- ``rates`` and ``money``: deterministic FX rates and fees, ``Decimal`` amounts;
- ``store`` and ``schema``: the SQLite database (WAL, one transaction per request);
- ``validation`` and ``business_errors``: field checks and the XBS error envelope;
- ``project`` and ``serve``: ``xbsec sandbox init`` and ``xbsec sandbox serve``.

Documented trigger values: a payment of ``402.00`` is declined (402 ``DECLINE``), a payment
of ``10000`` or more opens a request for information, a BIC with bank code ``ZZZZ`` is an
unknown bank (404). Proposals expire 30 minutes after the quote.

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
