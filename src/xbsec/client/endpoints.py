"""The XBS endpoints, written once for the sync and the async client, from the contract.

Each endpoint is a function that describes one call as a ``Call`` (the contract's operation,
method, path, query, document, headers): the path is the contract's path template filled in
(``xbsec.contract.operation``), the body is the document the contract describes for that
operation, in Mastercard's real shape (FIDELITY: camelCase and without a root member for
quote confirmation, BAV, RFI; ``quoterequest``, ``paymentrequest`` and ``cancelpaymentrequest``
roots for the transaction APIs). ``@endpoint`` turns the function into a method of both
clients: the sync client runs the call and returns its document, the async client returns an
awaitable of it, and mypy knows the argument and result types of each (the TypedDicts of
``xbsec.contract.documents``).

Documents of the transaction APIs are given and returned without their root:
``create_quote({...})`` sends ``{"quoterequest": {...}}`` and returns what is inside
``{"quote": {...}}`` (a document that already has its root is sent as it is). XML answers are
conformed to their JSON twins (``xbsec.contract.conform_xml``): a lone ``<proposal>`` is a
list of one, ``<fees_included>true</fees_included>`` a boolean.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, Generic, Literal, ParamSpec, TypeVar, overload

from xbsec.contract import operation
from xbsec.documents import Format
from xbsec.errors import ConfigurationError
from xbsec.oauth1.encoding import pct

if TYPE_CHECKING:
    from xbsec.contract.documents import (
        Account,
        AccountValidationRequest,
        AccountValidationResponse,
        AddressToValidate,
        AddressValidationResponse,
        BankLookupRequest,
        BankLookupResponse,
        CancelPayment,
        CancelPaymentRequest,
        ConfirmedQuoteStatus,
        EndpointGuideSpecification,
        GenerateIbanRequest,
        GenerateIbanResponse,
        Payment,
        PaymentRequest,
        QuoteCancellation,
        QuoteConfirmation,
        QuoteRequest,
        Rates,
        RetrievePayment,
        RfiDownloadDocumentResponseDocument,
        RfiNotification,
        RfiRetrieveResponseDocument,
        RfiUpdateRequest,
        RfiUpdateResponseDocument,
        RfiUploadDocument,
        RfiUploadDocumentResponseDocument,
    )
    from xbsec.contract.documents import Quote as QuoteDocument

__all__ = ["AsyncEndpoints", "Call", "Endpoint", "Endpoints", "SyncEndpoints", "XBSEndpoints",
           "endpoint"]

T = TypeVar("T")
P = ParamSpec("P")
Document = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API call, before the pipeline; ``T`` is the type of the document it returns."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    document: Any = field(default=None, repr=False)  # plaintext, about to be encrypted
    headers: Mapping[str, str] = field(default_factory=dict)
    format: Format | None = None
    unwrap: tuple[str, ...] = ()
    """Roots of the answer to remove: ``("quote",)`` returns what is inside ``quote``."""
    balance: bool = False
    """A Balance API call: an access token for MTS EU/UK customers (SPEC §1, §6)."""
    operation_id: str | None = None
    """The contract's operation, whose response schema conforms an XML answer."""

    @property
    def target(self) -> str:
        """Path and query, every query name and value RFC 3986-encoded (SPEC §2.5)."""
        if not self.query:
            return self.path
        return self.path + "?" + "&".join(f"{pct(k)}={pct(v)}" for k, v in self.query)

    @property
    def idempotent(self) -> bool:
        return self.method in ("GET", "HEAD")


class Endpoints:
    """What an endpoint needs of a client: its partner id and a way to run a ``Call``."""

    partner_id: str

    def _call(self, call: Call[Any]) -> Any:
        raise NotImplementedError


class SyncEndpoints(Endpoints):
    """A client whose endpoint methods return documents (``XBSClient``)."""


class AsyncEndpoints(Endpoints):
    """A client whose endpoint methods return awaitables of documents (``AsyncXBSClient``)."""


class Endpoint(Generic[P, T]):
    """An endpoint written once: a method of both clients, typed for each."""

    def __init__(self, build: Callable[Concatenate[Any, P], Call[T]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__
        self.__name__ = build.__name__

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Endpoint[P, T]: ...

    @overload
    def __get__(self, instance: SyncEndpoints, owner: type[Any]) -> Callable[P, T]: ...

    @overload
    def __get__(self, instance: AsyncEndpoints,
                owner: type[Any]) -> Callable[P, Awaitable[T]]: ...

    def __get__(self, instance: Endpoints | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        build = self.build

        @functools.wraps(build)
        def bound(*args: P.args, **kwargs: P.kwargs) -> Any:
            return instance._call(build(instance, *args, **kwargs))

        return bound


def endpoint(build: Callable[Concatenate[Any, P], Call[T]]) -> Endpoint[P, T]:
    """Make ``build`` (``(client, ...) -> Call``) an endpoint method of both clients."""
    return Endpoint(build)


def _segment(value: str, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name} must be a non-empty string")
    return pct(value)


def _path(operation_id: str, **parameters: str) -> str:
    """The contract's path of ``operation_id``, its ``{parameters}`` filled in, encoded."""
    path = operation(operation_id).path
    for name, value in parameters.items():
        path = path.replace("{" + name.replace("_", "-") + "}", _segment(value, name))
        path = path.replace("{" + name + "}", _segment(value, name))
    if "{" in path:
        raise ConfigurationError(f"{operation_id}: a path parameter is missing in {path}")
    return path


def _wrapped(root: str, document: Document | None) -> Any:
    if document is None:
        return None
    if not isinstance(document, Mapping):
        raise ConfigurationError(f"the {root} document must be a mapping")
    if len(document) == 1 and root in document:
        return dict(document)
    return {root: dict(document)}


def _partner(client: Endpoints) -> dict[str, str]:
    return {"partner_id": client.partner_id}


JSON_ONLY: Literal["json"] = "json"


# -- quotes and payments --------------------------------------------------------------------

@endpoint
def create_quote(client: Endpoints, quote_request: QuoteRequest, *,
                 format: Format | None = None) -> Call[QuoteDocument]:
    """POST quotes: ``quoterequest`` in, ``quote`` out."""
    return Call("POST", _path("create_quote", **_partner(client)),
                document=_wrapped("quoterequest", quote_request), format=format,
                unwrap=("quote",), operation_id="create_quote")


@endpoint
def create_payment(client: Endpoints, payment_request: PaymentRequest, *,
                   format: Format | None = None) -> Call[Payment]:
    """POST payment: ``paymentrequest`` in, ``payment`` out. With a quote, only the new
    ``transaction_reference``, the ``proposal_id`` and the KYC are needed (GEN)."""
    return Call("POST", _path("create_payment", **_partner(client)),
                document=_wrapped("paymentrequest", payment_request), format=format,
                unwrap=("payment",), operation_id="create_payment")


@endpoint
def retrieve_payment(client: Endpoints, payment_id: str, *,
                     format: Format | None = None) -> Call[RetrievePayment]:
    """GET a payment by its id."""
    return Call("GET", _path("retrieve_payment", payment_id=payment_id, **_partner(client)),
                format=format, unwrap=("payment",), operation_id="retrieve_payment")


@endpoint
def retrieve_payment_by_reference(client: Endpoints, transaction_reference: str, *,
                                  format: Format | None = None) -> Call[RetrievePayment]:
    """GET a payment by the partner's transaction reference (``?ref=``, signed)."""
    _segment(transaction_reference, "transaction_reference")
    return Call("GET", _path("retrieve_payment_by_reference", **_partner(client)),
                query=(("ref", transaction_reference),), format=format, unwrap=("payment",),
                operation_id="retrieve_payment_by_reference")


@endpoint
def cancel_payment(client: Endpoints, payment_id: str,
                   cancel_request: CancelPaymentRequest | None = None, *,
                   format: Format | None = None) -> Call[CancelPayment]:
    """POST cancel: ``cancelpaymentrequest`` in, ``cancelpayment`` (``status``) out. Only
    cash-out and some mobile-money payments, while pending (GEN)."""
    return Call("POST", _path("cancel_payment", payment_id=payment_id, **_partner(client)),
                document=_wrapped("cancelpaymentrequest", cancel_request or {}),
                format=format, unwrap=("cancelpayment",), operation_id="cancel_payment")


@endpoint
def carded_rates(client: Endpoints, *, format: Format | None = None) -> Call[Rates]:
    """GET carded rates: each rate's ``tiers.tier[].rate_id`` is a payment's
    ``card_rate_id``."""
    return Call("GET", _path("carded_rates", **_partner(client)), format=format,
                unwrap=("rates",), operation_id="carded_rates")


# -- quote confirmation ---------------------------------------------------------------------

def _confirmation(transaction_reference: str, proposal_id: str) -> dict[str, str]:
    _segment(transaction_reference, "transaction_reference")
    _segment(proposal_id, "proposal_id")
    return {"transactionReference": transaction_reference, "proposalId": proposal_id}


@endpoint
def confirm_quote(client: Endpoints, transaction_reference: str, proposal_id: str, *,
                  format: Format | None = None) -> Call[QuoteConfirmation]:
    """POST quotes/confirmations: the quote's ``{"transactionReference", "proposalId"}``
    (camelCase, no root in JSON; XML root ``quoteconfirmationrequest``)."""
    body: Any = _confirmation(transaction_reference, proposal_id)
    if format == "xml":
        body = {"quoteconfirmationrequest": body}
    return Call("POST", _path("confirm_quote", **_partner(client)), document=body,
                format=format, unwrap=("quoteconfirmationresponse",),
                operation_id="confirm_quote")


@endpoint
def cancel_confirmed_quote(client: Endpoints, transaction_reference: str,
                           proposal_id: str) -> Call[QuoteCancellation]:
    """POST quotes/cancellations (JSON): asynchronous, the answer's status is ``PENDING``."""
    return Call("POST", _path("cancel_confirmed_quote", **_partner(client)),
                document=_confirmation(transaction_reference, proposal_id), format=JSON_ONLY,
                operation_id="cancel_confirmed_quote")


@endpoint
def retrieve_confirmed_quote(client: Endpoints, transaction_reference: str,
                             proposal_id: str) -> Call[ConfirmedQuoteStatus]:
    """GET a confirmed quote's status (JSON)."""
    return Call("GET", _path("retrieve_confirmed_quote",
                             transaction_reference=transaction_reference,
                             proposal_id=proposal_id, **_partner(client)),
                format=JSON_ONLY, operation_id="retrieve_confirmed_quote")


# -- balances -------------------------------------------------------------------------------

@endpoint
def balances(client: Endpoints, *, include_balance: bool = False) -> Call[list[Account]]:
    """GET every account (JSON array); balances only with ``include_balance=True``, as at
    Mastercard (MTS EU/UK customers: with an access token, SPEC §6)."""
    return Call("GET", _path("balances", **_partner(client)),
                query=(("include_balance", "true"),) if include_balance else (),
                format=JSON_ONLY, balance=True, operation_id="balances")


@endpoint
def balance(client: Endpoints, account_id: str, *,
            include_balance: bool = False) -> Call[Account]:
    """GET one account (JSON)."""
    return Call("GET", _path("balance", account_id=account_id, **_partner(client)),
                query=(("include_balance", "true"),) if include_balance else (),
                format=JSON_ONLY, balance=True, operation_id="balance")


# -- bank account validation and address validation -----------------------------------------

@endpoint
def validate_account(client: Endpoints,
                     request: AccountValidationRequest) -> Call[AccountValidationResponse]:
    """POST accounts/validations (JSON): IBAN validation, card eligibility or account status,
    by ``requestType`` (``IVS``, ``CES``, ``ASV``)."""
    return Call("POST", _path("validate_account", **_partner(client)), document=dict(request),
                format=JSON_ONLY, operation_id="validate_account")


@endpoint
def generate_ibans(client: Endpoints, request: GenerateIbanRequest) -> Call[GenerateIbanResponse]:
    """POST accounts/generate-ibans (JSON): the account (``accountUri``) and its ``country``,
    sent without a root; the answer is ``{"ibanDetails": {...}}``."""
    return Call("POST", _path("generate_ibans", **_partner(client)), document=dict(request),
                format=JSON_ONLY, operation_id="generate_ibans")


@endpoint
def bank_details(client: Endpoints, bank: BankLookupRequest) -> Call[BankLookupResponse]:
    """POST banks/details (JSON): what is known of a bank, sent as ``{"bank": {...}}``."""
    return Call("POST", _path("bank_details", **_partner(client)),
                document=_wrapped("bank", bank), format=JSON_ONLY,
                operation_id="bank_details")


@endpoint
def validate_address(client: Endpoints,
                     address: AddressToValidate) -> Call[AddressValidationResponse]:
    """POST the Address Validation API (JSON), sent as ``{"address": {...}}``."""
    return Call("POST", _path("validate_address"), document=_wrapped("address", address),
                format=JSON_ONLY, operation_id="validate_address")


# -- endpoint guide and RFI -----------------------------------------------------------------

@endpoint
def endpoint_guide(client: Endpoints, *, payment_type: str,
                   destination_payment_instrument: str, destination_country: str,
                   destination_currency: str, specification_type: str = "TEG",
                   ) -> Call[list[EndpointGuideSpecification]]:
    """GET the Endpoint Guide: no partner in the path, ``Partner-Ref-Id`` header instead."""
    if specification_type not in ("TEG", "BEG"):
        raise ConfigurationError("specification_type must be TEG or BEG")
    query = (("payment_type", payment_type),
             ("destination_payment_instrument", destination_payment_instrument),
             ("destination_country", destination_country),
             ("destination_currency", destination_currency))
    return Call("GET", _path("endpoint_guide"), query=query, format=JSON_ONLY,
                headers={"Partner-Ref-Id": client.partner_id,
                         "Specification-Type": specification_type},
                operation_id="endpoint_guide")


@endpoint
def rfi_request(client: Endpoints, request_id: str) -> Call[RfiRetrieveResponseDocument]:
    """GET one request for information (JSON)."""
    return Call("GET", _path("rfi_request", request_id=request_id, **_partner(client)),
                format=JSON_ONLY, operation_id="rfi_request")


@endpoint
def update_rfi_request(client: Endpoints, request_id: str,
                       update: RfiUpdateRequest) -> Call[RfiUpdateResponseDocument]:
    """POST the answers to a request for information, sent as ``{"updateRequest": {...}}``."""
    return Call("POST", _path("update_rfi_request", request_id=request_id,
                              **_partner(client)),
                document=_wrapped("updateRequest", update), format=JSON_ONLY,
                operation_id="update_rfi_request")


@endpoint
def upload_rfi_document(client: Endpoints, document: RfiUploadDocument,
                        ) -> Call[RfiUploadDocumentResponseDocument]:
    """POST an RFI document (``fileName`` and base64 ``file``), sent as
    ``{"uploadDocumentRequest": {...}}``."""
    return Call("POST", _path("upload_rfi_document", **_partner(client)),
                document=_wrapped("uploadDocumentRequest", document), format=JSON_ONLY,
                operation_id="upload_rfi_document")


@endpoint
def download_rfi_document(client: Endpoints,
                          document_id: str) -> Call[RfiDownloadDocumentResponseDocument]:
    """GET an RFI document (JSON, base64 content)."""
    return Call("GET", _path("download_rfi_document", document_id=document_id,
                             **_partner(client)),
                format=JSON_ONLY, operation_id="download_rfi_document")


# -- the local sandbox's own controls -------------------------------------------------------

@endpoint
def set_payment_status(client: Endpoints, payment_id: str,
                       status: Literal["SUCCESS", "REJECTED", "RETURNED"], *,
                       code: str | None = None,
                       message: str | None = None) -> Call[RetrievePayment]:
    """Sandbox only: move a payment to ``status`` at once (``xbsec sandbox``'s control)."""
    body: dict[str, str] = {"status": status}
    if code is not None:
        body["code"] = code
    if message is not None:
        body["message"] = message
    return Call("POST", _path("set_payment_status", payment_id=payment_id), document=body,
                format=JSON_ONLY, unwrap=("payment",), operation_id="set_payment_status")


@endpoint
def sandbox_rfi_notification(client: Endpoints, payment_id: str) -> Call[RfiNotification]:
    """Sandbox only: the RFI push the sandbox would send for a payment's request."""
    return Call("GET", _path("sandbox_rfi_notification", payment_id=payment_id),
                format=JSON_ONLY, operation_id="sandbox_rfi_notification")


class XBSEndpoints(Endpoints):
    """The XBS API, one method per endpoint (see the module docstring)."""

    create_quote = create_quote
    create_payment = create_payment
    retrieve_payment = retrieve_payment
    retrieve_payment_by_reference = retrieve_payment_by_reference
    cancel_payment = cancel_payment
    carded_rates = carded_rates
    confirm_quote = confirm_quote
    cancel_confirmed_quote = cancel_confirmed_quote
    retrieve_confirmed_quote = retrieve_confirmed_quote
    balances = balances
    balance = balance
    validate_account = validate_account
    generate_ibans = generate_ibans
    bank_details = bank_details
    validate_address = validate_address
    endpoint_guide = endpoint_guide
    rfi_request = rfi_request
    update_rfi_request = update_rfi_request
    upload_rfi_document = upload_rfi_document
    download_rfi_document = download_rfi_document
    set_payment_status = set_payment_status
    sandbox_rfi_notification = sandbox_rfi_notification

    def request(self, method: str, path: str, *, document: Any = None,
                query: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
                format: Format | None = None) -> Any:
        """Any other call; the whole response document is returned (no unwrapping)."""
        if not path.startswith("/"):
            raise ConfigurationError("path must start with '/', relative to the base URL")
        return self._call(Call(method.upper(), path, tuple((query or {}).items()), document,
                               dict(headers or {}), format))
