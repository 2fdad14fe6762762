"""The XBS endpoints (SPEC §8.1), written once for the sync and the async client.

Each method describes one call as a ``Call`` (method, path, query, document, headers) and
hands it to ``_call``, which the sync client runs and the async client awaits. Documents
are given and returned without their root wrapper: ``create_quote({...})`` sends
``{"quoterequest": {...}}`` and returns what is inside ``{"quote": {...}}``; a document
that already has its root is sent as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from xbsec.documents import Format
from xbsec.errors import ConfigurationError
from xbsec.oauth1.encoding import pct

__all__ = ["Call", "Endpoints"]

R = TypeVar("R")
Document = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Call:
    """One API call, before the pipeline: what the endpoint methods produce."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    document: Any = field(default=None, repr=False)  # plaintext, about to be encrypted
    headers: Mapping[str, str] = field(default_factory=dict)
    format: Format | None = None
    unwrap: bool = True
    """Return what is inside the response's single root member."""
    balance: bool = False
    """A Balance API call: an access token for MTS EU/UK customers (SPEC §1, §6)."""

    @property
    def target(self) -> str:
        """Path and query, every query name and value RFC 3986-encoded (SPEC §2.5)."""
        if not self.query:
            return self.path
        return self.path + "?" + "&".join(f"{pct(k)}={pct(v)}" for k, v in self.query)

    @property
    def idempotent(self) -> bool:
        return self.method in ("GET", "HEAD")


def _segment(value: str, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name} must be a non-empty string")
    return pct(value)


def _wrapped(root: str, document: Document | None) -> Any:
    if document is None:
        return None
    if not isinstance(document, Mapping):
        raise ConfigurationError(f"the {root} document must be a mapping")
    if len(document) == 1 and root in document:
        return dict(document)
    return {root: dict(document)}


def _flag(value: bool) -> str:
    return "true" if value else "false"


class Endpoints(Generic[R]):
    """The XBS API, one method per endpoint; ``R`` is a result or an awaitable of one."""

    partner_id: str

    def _call(self, call: Call) -> R:
        raise NotImplementedError

    @property
    def _partner(self) -> str:
        return f"/send/v1/partners/{pct(self.partner_id)}/crossborder"

    @property
    def _partner_v0(self) -> str:
        # Quote confirmation, balances, BAV and RFI live under /send/partners (SPEC §8.1).
        return f"/send/partners/{pct(self.partner_id)}/crossborder"

    # -- quotes and payments --------------------------------------------------------------

    def create_quote(self, quote_request: Document, *, format: Format | None = None) -> R:
        """POST quotes: ``quoterequest`` in, ``quote`` out."""
        return self._call(Call("POST", f"{self._partner}/quotes",
                               document=_wrapped("quoterequest", quote_request), format=format))

    def create_payment(self, payment_request: Document, *, format: Format | None = None) -> R:
        """POST payment: ``paymentrequest`` in, ``payment`` out."""
        return self._call(Call("POST", f"{self._partner}/payment",
                               document=_wrapped("paymentrequest", payment_request),
                               format=format))

    def retrieve_payment(self, payment_id: str, *, format: Format | None = None) -> R:
        """GET a payment by its id."""
        return self._call(Call("GET", f"{self._partner}/{_segment(payment_id, 'payment_id')}",
                               format=format))

    def retrieve_payment_by_reference(self, transaction_reference: str, *,
                                      format: Format | None = None) -> R:
        """GET a payment by the partner's transaction reference (``?ref=``, signed)."""
        _segment(transaction_reference, "transaction_reference")
        return self._call(Call("GET", self._partner, query=(("ref", transaction_reference),),
                               format=format))

    def cancel_payment(self, payment_id: str, cancel_request: Document | None = None, *,
                       format: Format | None = None) -> R:
        """POST cancel: ``cancelpaymentrequest`` in, ``cancelpayment`` out."""
        return self._call(Call(
            "POST", f"{self._partner}/{_segment(payment_id, 'payment_id')}/cancel",
            document=_wrapped("cancelpaymentrequest", cancel_request or {}), format=format))

    def carded_rates(self) -> R:
        """GET carded rates (JSON only)."""
        return self._call(Call("GET", f"{self._partner}/rates", format="json"))

    # -- quote confirmation ---------------------------------------------------------------

    def confirm_quote(self, quote_confirmation: Document, *, format: Format | None = None) -> R:
        """POST quotes/confirmations: ``quoteconfirmation``."""
        return self._call(Call("POST", f"{self._partner_v0}/quotes/confirmations",
                               document=_wrapped("quoteconfirmation", quote_confirmation),
                               format=format))

    def cancel_confirmed_quote(self, cancellation: Document) -> R:
        """POST quotes/cancellations (JSON)."""
        return self._call(Call("POST", f"{self._partner_v0}/quotes/cancellations",
                               document=_wrapped("quotecancellation", cancellation),
                               format="json"))

    def retrieve_confirmed_quote(self, transaction_reference: str, proposal_id: str) -> R:
        """GET a confirmed quote's proposal (JSON)."""
        return self._call(Call(
            "GET", f"{self._partner_v0}/quotes/"
            f"{_segment(transaction_reference, 'transaction_reference')}/proposals/"
            f"{_segment(proposal_id, 'proposal_id')}", format="json"))

    # -- balances and bank account validation ---------------------------------------------

    def balances(self, *, include_balance: bool | None = None,
                 format: Format | None = None) -> R:
        """GET every account (MTS EU/UK customers: with an access token, SPEC §6)."""
        query = () if include_balance is None else (("include_balance", _flag(include_balance)),)
        return self._call(Call("GET", f"{self._partner_v0}/accounts", query=query,
                               format=format, balance=True))

    def balance(self, account_id: str, *, include_balance: bool | None = None,
                format: Format | None = None) -> R:
        """GET one account."""
        query = () if include_balance is None else (("include_balance", _flag(include_balance)),)
        return self._call(Call(
            "GET", f"{self._partner_v0}/accounts/{_segment(account_id, 'account_id')}",
            query=query, format=format, balance=True))

    def validate_account(self, validation: Document) -> R:
        """POST accounts/validations (JSON; always encrypted by Mastercard's reference app)."""
        return self._call(Call("POST", f"{self._partner_v0}/accounts/validations",
                               document=_wrapped("accountvalidation", validation),
                               format="json"))

    def generate_ibans(self, request: Document) -> R:
        """POST accounts/generate-ibans (JSON)."""
        return self._call(Call("POST", f"{self._partner_v0}/accounts/generate-ibans",
                               document=_wrapped("ibangeneration", request), format="json"))

    def bank_details(self, request: Document) -> R:
        """POST banks/details (JSON)."""
        return self._call(Call("POST", f"{self._partner_v0}/banks/details",
                               document=_wrapped("bankdetails", request), format="json"))

    # -- endpoint guide and RFI -----------------------------------------------------------

    def endpoint_guide(self, *, payment_type: str, destination_payment_instrument: str,
                       destination_country: str, destination_currency: str,
                       specification_type: str = "TEG") -> R:
        """GET the endpoint guide: no partner in the path, ``Partner-Ref-Id`` header instead."""
        if specification_type not in ("TEG", "BEG"):
            raise ConfigurationError("specification_type must be TEG or BEG")
        query = (("payment_type", payment_type),
                 ("destination_payment_instrument", destination_payment_instrument),
                 ("destination_country", destination_country),
                 ("destination_currency", destination_currency))
        return self._call(Call("GET", "/crossborder/endpoint-guide/specifications",
                               query=query, format="json",
                               headers={"Partner-Ref-Id": self.partner_id,
                                        "Specification-Type": specification_type}))

    def rfi_request(self, request_id: str) -> R:
        """GET one request for information (JSON)."""
        return self._call(Call(
            "GET", f"{self._partner_v0}/rfi/requests/{_segment(request_id, 'request_id')}",
            format="json"))

    def update_rfi_request(self, request_id: str, update: Document) -> R:
        """POST the answer to a request for information (JSON; the document as XBS defines it)."""
        return self._call(Call(
            "POST", f"{self._partner_v0}/rfi/requests/{_segment(request_id, 'request_id')}",
            document=dict(update), format="json", unwrap=False))

    def upload_rfi_document(self, document: Document) -> R:
        """POST an RFI document (JSON, base64 content)."""
        return self._call(Call("POST", f"{self._partner_v0}/rfi/documents",
                               document=dict(document), format="json", unwrap=False))

    def download_rfi_document(self, document_id: str) -> R:
        """GET an RFI document (JSON, base64 content)."""
        return self._call(Call(
            "GET", f"{self._partner_v0}/rfi/documents/{_segment(document_id, 'document_id')}",
            format="json", unwrap=False))

    # -- anything else --------------------------------------------------------------------

    def request(self, method: str, path: str, *, document: Any = None,
                query: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
                format: Format | None = None) -> R:
        """Any other call; the whole response document is returned (no unwrapping)."""
        if not path.startswith("/"):
            raise ConfigurationError("path must start with '/', relative to the base URL")
        return self._call(Call(method.upper(), path, tuple((query or {}).items()), document,
                               dict(headers or {}), format, unwrap=False))
