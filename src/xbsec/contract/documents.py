# Generated from xbs-openapi.json by xbsec.contract._codegen: do not edit.
# Regenerate with: python -m xbsec.contract._codegen
"""Typed documents of the XBS contract: one TypedDict (or alias) per schema of xbs-openapi.json.

Members follow each schema's ``required`` list, enumerations are ``Literal[...]`` and a member
that may be null is ``... | None``. Types only: nothing is checked at run time (the
validators of ``xbsec.contract`` do that).
"""

from typing import Any, Literal, NotRequired, Required, TypeAlias, TypedDict

__all__ = [
    "Account",
    "AccountMatch",
    "AccountValidationNotification",
    "AccountValidationRequest",
    "AccountValidationResponse",
    "Accounts",
    "AdditionalData",
    "AdditionalDataList",
    "Address",
    "AddressToValidate",
    "AddressValidationRequest",
    "AddressValidationResponse",
    "BalanceDetails",
    "BalanceThreshold",
    "BalanceThresholdValue",
    "BankData",
    "BankInfo",
    "BankInfoAddress",
    "BankInfoBic",
    "BankLookupAddress",
    "BankLookupRequest",
    "BankLookupRequestDocument",
    "BankLookupResponse",
    "Banks",
    "BavAccount",
    "BavAccountDetails",
    "BavAccountHolder",
    "BavAccountUri",
    "BavAccounts",
    "BavBank",
    "BavBankAddress",
    "BavBic",
    "BavBicValue",
    "BavPersonName",
    "BooleanString",
    "CancelConfirmedQuoteRequestBody",
    "CancelConfirmedQuoteRequestDocument",
    "CancelPayment",
    "CancelPaymentDocument",
    "CancelPaymentRequest",
    "CancelPaymentRequestBody",
    "CancelPaymentRequestDocument",
    "CardedRateNotification",
    "ConfirmedProposal",
    "ConfirmedQuote",
    "ConfirmedQuoteStatus",
    "CrossBorderEligibility",
    "Data",
    "DataField",
    "DestinationPaymentInstrument",
    "EncryptedPayload",
    "EncryptedPayloadData",
    "EndpointGuideBusiness",
    "EndpointGuideField",
    "EndpointGuideSpecification",
    "EndpointGuideSpecifications",
    "EndpointGuideSupportedValue",
    "EndpointGuideTechnical",
    "Error",
    "ErrorDetail",
    "ErrorDetails",
    "ErrorList",
    "Errors",
    "Forward",
    "FxType",
    "GatewayError",
    "GatewayErrorList",
    "GatewayErrors",
    "GenerateIbanRequest",
    "GenerateIbanResponse",
    "GovernmentIdEntry",
    "GovernmentIds",
    "IbanDetails",
    "LocalDetails",
    "Money",
    "Payment",
    "PaymentAmount",
    "PaymentDocument",
    "PaymentForward",
    "PaymentFxType",
    "PaymentRequest",
    "PaymentRequestDocument",
    "PaymentReverse",
    "PaymentStatus",
    "PaymentType",
    "PendingStage",
    "Proposal",
    "Proposals",
    "Quote",
    "QuoteCancellation",
    "QuoteConfirmation",
    "QuoteConfirmationRequest",
    "QuoteDocument",
    "QuoteRequest",
    "QuoteRequestDocument",
    "QuoteStatus",
    "QuoteType",
    "Rate",
    "Rates",
    "RatesDocument",
    "ReceivingEligibility",
    "Recipient",
    "RejectedStatus",
    "RetrievePayment",
    "RetrievePaymentDocument",
    "ReturnStatus",
    "Reverse",
    "RfiComment",
    "RfiDownloadDocumentResponse",
    "RfiDownloadDocumentResponseDocument",
    "RfiFullAddress",
    "RfiGovernmentId",
    "RfiItem",
    "RfiItemRequest",
    "RfiItemResponse",
    "RfiItemReview",
    "RfiNotification",
    "RfiOtherAnswer",
    "RfiOtherSection",
    "RfiPartyAnswer",
    "RfiPartySection",
    "RfiPaymentAndDocsAnswer",
    "RfiPaymentAndDocsSection",
    "RfiRequest",
    "RfiRequestEvent",
    "RfiRequestHistory",
    "RfiRequestStatus",
    "RfiRetrieveResponseDocument",
    "RfiTransaction",
    "RfiUpdateRequest",
    "RfiUpdateRequestDocument",
    "RfiUpdateResponse",
    "RfiUpdateResponseDocument",
    "RfiUploadDocument",
    "RfiUploadDocumentRequestDocument",
    "RfiUploadDocumentResponse",
    "RfiUploadDocumentResponseDocument",
    "RoutingEnablement",
    "SanctionDetails",
    "SandboxPaymentStatusRequest",
    "SandboxWebhookDeliveries",
    "SandboxWebhookDelivery",
    "Sender",
    "SignedMoney",
    "StatusChangeNotification",
    "Tier",
    "Tiers",
    "ValidatedAddress",
]


# B2P business disbursement to a person, B2B business to business, G2P government to person, P2P
# person to person, P2B person to business (GEN).
PaymentType: TypeAlias = Literal["P2P", "P2B", "B2P", "B2B", "G2P"]


# Status of a payment (GEN RetrievePayment): PENDING, then SUCCESS, REJECTED or RETURNED (RETURNED
# only after SUCCESS, seen on retrieve and in pushes).
PaymentStatus: TypeAlias = Literal["PENDING", "SUCCESS", "REJECTED", "RETURNED"]


# Stage of a PENDING payment (GEN: alphabetic, 1-30, only while PENDING). chosen: the enumeration
# holds the one stage documented in a readable part of Mastercard's 'Transaction Stages for a
# pending Transaction' page ("Processing", the standard stage); the other stages of that page are
# unknown here. Extend when known.
PendingStage: TypeAlias = Literal["Processing"]


# A boolean written as a string (GEN types fees_included of a request as a String with the values
# "true" and "false").
BooleanString: TypeAlias = Literal["true", "false"]


# Payment instrument of the destination (REF EndpointGuide enum).
DestinationPaymentInstrument: TypeAlias = Literal[
    "BANK",
    "CASH",
    "CARD",
    "EWALLET",
    "MWALLET",
    "BANKWIRE",
]


# Status of a request for information. chosen: the statuses named by Mastercard's RFI pages (open,
# in progress, review, closed, cancelled), written in capitals as REF's update test expects
# "REVIEW".
RfiRequestStatus: TypeAlias = Literal["OPEN", "INPROGRESS", "REVIEW", "CLOSED", "CANCELLED"]


class PaymentAmount(TypedDict):
    """An amount and its currency (GEN PaymentAmount)."""
    amount: str
    currency: str


class Forward(TypedDict, total=False):
    """A forward transfer: the sender's amount is fixed (GEN Forward). Without quote_type (or
    fx_type), or forward without fees_included, XBS applies fees_included "true" (GEN).
    """
    fees_included: BooleanString | bool | None
    receiver_currency: str | None


class Reverse(TypedDict, total=False):
    """A reverse transfer: the receiver's amount is fixed (GEN Reverse)."""
    sender_currency: str | None


class QuoteType(TypedDict, total=False):
    """Forward or reverse, never both (GEN: using both is an error; a null one is absent)."""
    forward: Forward | None
    reverse: Reverse | None


class FxType(TypedDict, total=False):
    """Forward or reverse for a payment without a quote (GEN FxType; same rules as QuoteType)."""
    forward: Forward | None
    reverse: Reverse | None


class DataField(TypedDict, total=False):
    """One additional field: a numeric name and its value (GEN)."""
    name: str | None
    value: str | None


class AdditionalData(TypedDict, total=False):
    """Additional fields of a request (GEN AdditionalData); in XML each data_field is one repeated
    element.
    """
    data_field: list[DataField] | None


class GovernmentIds(TypedDict, total=False):
    """Government ids as Mastercard's reference app writes them: one object holding every id URI
    (e.g. ppn:123456789;expiration-date=2019-05-27;issue-date=2011-07-12;country=USA).
    """
    government_id_uri: list[str] | None


class GovernmentIdEntry(TypedDict, total=False):
    """One government id as the generated client writes it (GEN GovernmentIds, a list of these)."""
    government_id_uri: str | None


class Address(TypedDict, total=False):
    """A postal address (GEN Address). chosen: XML element names equal the JSON names; Mastercard's
    reference app writes countrySubdivision and postalCode in XML, which are accepted as unknown
    members.
    """
    line1: Required[str]
    line2: str | None
    city: str | None
    country_subdivision: str | None
    postal_code: str | None
    country: Required[str]


class Sender(TypedDict, total=False):
    """The sender (GEN Sender): a person (P2P, P2B: first and last name) or an organization (B2P,
    B2B, G2P: organization_name).
    """
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    organization_name: str | None
    nationality: str | None
    address: Address | None
    government_ids: GovernmentIds | list[GovernmentIdEntry] | None
    date_of_birth: str | None


class Recipient(TypedDict, total=False):
    """The recipient (GEN Recipient): a person (B2P, G2P, P2P) or an organization (B2B, P2B)."""
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    organization_name: str | None
    nationality: str | None
    address: Address | None
    government_ids: GovernmentIds | list[GovernmentIdEntry] | None
    phone: str | None
    email: str | None


class QuoteRequest(TypedDict):
    """A quote request (GEN QuoteRequest). Request documents are open: unknown members are
    tolerated, and an optional member may be JSON null (XML xsi:nil or an empty element), meaning
    absent (FIDELITY §8, Mastercard's reference app sends both).
    """
    transaction_reference: str
    sender_account_uri: str
    recipient_account_uri: str
    payment_amount: PaymentAmount
    payment_origination_country: str
    payment_type: PaymentType
    quote_type: NotRequired[QuoteType | None]
    bank_code: NotRequired[str | None]
    additional_data: NotRequired[AdditionalData | None]


class QuoteRequestDocument(TypedDict):
    """JSON body of a quote request: root quoterequest."""
    quoterequest: QuoteRequest


class PaymentRequest(TypedDict, total=False):
    """A payment request (GEN PaymentRequest). Three options (GEN PaymentApi): with a quote
    (proposal_id; the quote's members need not be repeated), with a carded rate (card_rate_id),
    or one-shot without either (every transfer member required, FX from fx_type). Request
    documents are open: unknown members are tolerated, and an optional member may be JSON null
    (XML xsi:nil or an empty element), meaning absent (FIDELITY §8, Mastercard's reference app
    sends both).
    """
    transaction_reference: Required[str]
    proposal_id: str | None
    local_date_time: str | None
    sender_account_uri: str | None
    recipient_account_uri: str | None
    payment_amount: PaymentAmount | None
    payment_origination_country: str | None
    fx_type: FxType | None
    receiving_bank_name: str | None
    receiving_bank_branch_name: str | None
    bank_code: str | None
    payment_type: PaymentType | None
    source_of_income: str | None
    sender: Sender | None
    recipient: Recipient | None
    purpose_of_payment: str | None
    payment_file_identifier: str | None
    card_rate_id: str | None
    additional_data: AdditionalData | None


class PaymentRequestDocument(TypedDict):
    """JSON body of a payment request: root paymentrequest."""
    paymentrequest: PaymentRequest


class CancelPaymentRequest(TypedDict, total=False):
    """A cancellation request (GEN CancelPaymentRequest). Mastercard's reference app sends it in
    JSON without its root ({"TransactionReference":null,"additional_data":null}), which the real
    API accepts.
    """
    additional_data: AdditionalData | None


class CancelPaymentRequestDocument(TypedDict):
    """JSON body of a cancellation: root cancelpaymentrequest."""
    cancelpaymentrequest: CancelPaymentRequest


# JSON body of a cancellation: with its root cancelpaymentrequest or, as Mastercard's reference app
# sends it, without.
CancelPaymentRequestBody: TypeAlias = CancelPaymentRequestDocument | CancelPaymentRequest


class QuoteConfirmationRequest(TypedDict):
    """Confirms (or cancels) a quote's proposal. JSON has no root member (REF's @JsonTypeName has no
    wrapper; SPEC §8.1's root 'quoteconfirmation' was a misreading); XML root
    quoteconfirmationrequest (REF2).
    """
    transactionReference: str
    proposalId: str


class CancelConfirmedQuoteRequestDocument(TypedDict):
    """The cancellation form of REF's CancelConfirmedQuoteRequest: root cancelConfirmedQuoteRequest.
    """
    cancelConfirmedQuoteRequest: QuoteConfirmationRequest


# JSON body of a confirmed quote's cancellation: the confirmation body itself, or wrapped in
# cancelConfirmedQuoteRequest (both sent by REF).
CancelConfirmedQuoteRequestBody: TypeAlias = (
    QuoteConfirmationRequest | CancelConfirmedQuoteRequestDocument
)


class RfiGovernmentId(TypedDict, total=False):
    """A government id given in an RFI answer (REF)."""
    type: str | None
    number: str | None
    documents: list[Any] | None


class RfiFullAddress(TypedDict, total=False):
    """An address given in an RFI answer (REF)."""
    addressLine1: str | None
    addressLine2: str | None
    city: str | None
    countrySubdivision: str | None
    country: str | None
    postalCode: str | None
    documents: list[Any] | None


class RfiPartyAnswer(TypedDict, total=False):
    """Answers about the sender or the recipient (REF Sender; chosen: the recipient takes the same
    members).
    """
    fullName: str | None
    dateOfBirth: str | None
    placeOfBirth: str | None
    nationality: str | None
    governmentId: RfiGovernmentId | None
    fullAddress: RfiFullAddress | None
    sourceOfIncome: str | None
    additionalQuestion: str | None
    additionalDocuments: str | None


class RfiPaymentAndDocsAnswer(TypedDict, total=False):
    """Answers about the payment (REF PaymentAndDocs)."""
    senderRecipientRelation: str | None
    paymentPurpose: str | None
    additionalQuestion: str | None
    supportingDocs: str | None
    additionalDocuments: str | None


class RfiOtherAnswer(TypedDict, total=False):
    """Other answers (REF Other)."""
    comment: str | None
    additionalDocuments: str | None


class RfiUpdateRequest(TypedDict, total=False):
    """The answers to a request for information (REF UpdateRequest). Sections not answered are null
    or absent.
    """
    sender: RfiPartyAnswer | None
    recipient: RfiPartyAnswer | None
    paymentAndDocs: RfiPaymentAndDocsAnswer | None
    other: RfiOtherAnswer | None


class RfiUpdateRequestDocument(TypedDict):
    """JSON body of an RFI answer: root updateRequest."""
    updateRequest: RfiUpdateRequest


class RfiUploadDocument(TypedDict):
    """A document attached to an RFI (REF UploadDocumentRequest)."""
    fileName: str
    file: str


class RfiUploadDocumentRequestDocument(TypedDict):
    """JSON body of an upload: root uploadDocumentRequest."""
    uploadDocumentRequest: RfiUploadDocument


class BavAccountUri(TypedDict):
    """An account for bank account validation: type and value (REF). chosen: type accepted in
    capitals (validations) and lower case (REF sends "ban" to generate-ibans).
    """
    type: Literal["IBAN", "PAN", "BAN", "iban", "pan", "ban"]
    value: str


class BavBic(TypedDict):
    """A bank identifier and its kind (REF Bic): BIC, ABA, UKSORT, ..."""
    type: str
    value: str


class GenerateIbanRequest(TypedDict, total=False):
    """Generates IBANs from a domestic account (REF GenerateIbanRequest). chosen: accountUri and
    country required.
    """
    accountUri: Required[BavAccountUri]
    country: Required[str]
    branchCode: str | None
    accountNo: str | None


class BavPersonName(TypedDict, total=False):
    """A person's name (REF)."""
    firstName: str | None
    middleName: str | None
    lastName: str | None


class BavAccountHolder(TypedDict, total=False):
    """The account holder (REF)."""
    name: BavPersonName | None
    governmentId: str | None


class BavAccountDetails(TypedDict, total=False):
    """Details checked by an account status verification (REF)."""
    accountCurrency: str | None
    accountHolder: BavAccountHolder | None
    bic: BavBic | None


class AccountValidationRequest(TypedDict, total=False):
    """One endpoint, three checks (REF BavHelperApi): IBAN validation (requestType absent or IVS, an
    IBAN accountUri), card eligibility (CES, a PAN) and account status verification (ASV, a BAN
    with accountDetails).
    """
    requestType: Literal["IVS", "CES", "ASV"] | None
    accountUri: Required[BavAccountUri]
    accountDetails: BavAccountDetails | None


class BankLookupAddress(TypedDict, total=False):
    """Where to look for a bank (REF)."""
    city: str | None
    countrySubdivision: str | None
    postalCode: str | None


class BankLookupRequest(TypedDict, total=False):
    """What is known of the bank (REF Bank)."""
    name: str | None
    branchName: str | None
    country: Required[str]
    bic: BavBic | None
    address: BankLookupAddress | None


class BankLookupRequestDocument(TypedDict):
    """JSON body of a bank lookup: root bank."""
    bank: BankLookupRequest


class AddressToValidate(TypedDict, total=False):
    """chosen: the address members of the payment API, in camelCase as the other value-added
    services write them.
    """
    line1: Required[str]
    line2: str | None
    line3: str | None
    city: str | None
    countrySubdivision: str | None
    postalCode: str | None
    country: Required[str]


class AddressValidationRequest(TypedDict):
    """chosen: the address under one member 'address' (the request body is not documented in a
    readable page).
    """
    address: AddressToValidate


class SandboxPaymentStatusRequest(TypedDict, total=False):
    """Moves a PENDING payment to a final status (sandbox only). code and message become
    rejected_status {Code, Message} for REJECTED, message becomes return_status {Message} for
    RETURNED; both are ignored for SUCCESS.
    """
    status: Required[Literal["SUCCESS", "REJECTED", "RETURNED"]]
    code: str | None
    message: str | None


class SandboxWebhookDelivery(TypedDict, total=False):
    """One push notification and its delivery (sandbox only)."""
    eventRef: Required[str]
    type: Required[Literal["statusChange", "cardedRate", "rfi", "accountValidation"]]
    partnerId: Required[str]
    paymentId: str
    state: Required[Literal["pending", "delivered", "failed"]]
    attempts: Required[int]
    created: Required[str]
    lastAttempt: str
    nextAttempt: str
    lastStatus: int
    lastError: str
    finished: str


class SandboxWebhookDeliveries(TypedDict):
    """The sandbox's push deliveries (sandbox only)."""
    deliveries: list[SandboxWebhookDelivery]


class Money(TypedDict):
    """An amount and its currency in a response."""
    amount: str
    currency: str


class SignedMoney(TypedDict):
    """A balance amount and its currency (may be negative)."""
    amount: str
    currency: str


class Data(TypedDict, total=False):
    """The additional fields of a response (GEN Data)."""
    data_field: list[DataField]


class AdditionalDataList(TypedDict, total=False):
    """Additional fields returned by XBS (GEN AdditionalDataList)."""
    resource_type: Literal["list"]
    item_count: str
    data: Data


class PaymentForward(TypedDict, total=False):
    """Forward FX of a payment (GEN Forward, fees_included a string)."""
    fees_included: BooleanString
    receiver_currency: str


class PaymentReverse(TypedDict, total=False):
    """Reverse FX of a payment (GEN Reverse)."""
    sender_currency: str


class PaymentFxType(TypedDict, total=False):
    """The FX type a payment was made with (GEN FxType)."""
    forward: PaymentForward
    reverse: PaymentReverse


class Proposal(TypedDict):
    """One proposal of a quote (GEN Proposal). chosen: every member but additional_data_list and
    confirmation_expiry_time is required.
    """
    id: str
    resource_type: Literal["proposal"]
    fees_included: bool
    expiration_date: str
    quote_fx_rate: str
    charged_amount: Money
    credited_amount: Money
    principal_amount: Money
    additional_data_list: NotRequired[AdditionalDataList]
    confirmation_expiry_time: NotRequired[str]


class Proposals(TypedDict):
    """The proposals of a quote; in XML one repeated proposal element each."""
    proposal: list[Proposal]


class Quote(TypedDict):
    """A quote (GEN Quote)."""
    transaction_reference: str
    payment_type: NotRequired[PaymentType]
    proposals: Proposals


class QuoteDocument(TypedDict):
    """JSON body of a quote: root quote."""
    quote: Quote


class RejectedStatus(TypedDict):
    """Why a payment was rejected (GEN; capitalised members)."""
    Code: str
    Message: str


class ReturnStatus(TypedDict):
    """Why a payment was returned (GEN; capitalised member)."""
    Message: str


class Payment(TypedDict, total=False):
    """A payment as answered to its creation (GEN Payment). chosen: transaction_reference, id,
    resource_type, created, status and status_timestamp required; pending_stage present exactly
    while PENDING.
    """
    transaction_reference: Required[str]
    id: Required[str]
    resource_type: Required[Literal["payment"]]
    created: Required[str]
    proposal_id: str
    status: Required[PaymentStatus]
    status_timestamp: Required[str]
    pending_stage: PendingStage
    pending_max_completion_date: str
    fees_amount: Money
    charged_amount: Money
    credited_amount: Money
    principal_amount: Money
    sender_account_uri: str
    recipient_account_uri: str
    payment_amount: Money
    payment_origination_country: str
    fx_type: PaymentFxType
    receiving_bank_name: str
    receiving_bank_branch_name: str
    bank_code: str
    payment_type: PaymentType
    source_of_income: str
    settlement_details: Money
    cashout_code: str
    fx_rate: str
    additional_data_list: AdditionalDataList
    payment_file_identifier: str
    card_rate_id: str
    sender: Sender
    recipient: Recipient
    partner_name: str


class PaymentDocument(TypedDict):
    """JSON body of a payment: root payment."""
    payment: Payment


class RetrievePayment(TypedDict, total=False):
    """A payment as retrieved (GEN RetrievePayment): Payment plus rejected_status (exactly when
    REJECTED) and return_status (exactly when RETURNED).
    """
    transaction_reference: Required[str]
    id: Required[str]
    resource_type: Required[Literal["payment"]]
    created: Required[str]
    proposal_id: str
    status: Required[PaymentStatus]
    status_timestamp: Required[str]
    pending_stage: PendingStage
    pending_max_completion_date: str
    fees_amount: Money
    charged_amount: Money
    credited_amount: Money
    principal_amount: Money
    sender_account_uri: str
    recipient_account_uri: str
    payment_amount: Money
    payment_origination_country: str
    fx_type: PaymentFxType
    receiving_bank_name: str
    receiving_bank_branch_name: str
    bank_code: str
    payment_type: PaymentType
    source_of_income: str
    settlement_details: Money
    cashout_code: str
    fx_rate: str
    additional_data_list: AdditionalDataList
    payment_file_identifier: str
    card_rate_id: str
    sender: Sender
    recipient: Recipient
    partner_name: str
    rejected_status: RejectedStatus
    return_status: ReturnStatus


class RetrievePaymentDocument(TypedDict):
    """JSON body of a retrieved payment: root payment."""
    payment: RetrievePayment


class CancelPayment(TypedDict, total=False):
    """The answer to a cancellation (GEN CancelPayment). chosen: status is "SUCCESS", the only value
    evidenced (REF test); a cancellation that cannot be done is an error response.
    """
    status: Required[Literal["SUCCESS"]]
    additional_data_list: AdditionalDataList


class CancelPaymentDocument(TypedDict):
    """JSON body of a cancellation answer: root cancelpayment."""
    cancelpayment: CancelPayment


class Tier(TypedDict, total=False):
    """One tier of a carded rate (GEN Tier)."""
    from_amount: str
    rate_id: Required[str]
    ask_rate: str
    mid_rate: str
    bid_rate: Required[str]


class Tiers(TypedDict):
    """The tiers of a rate; in XML one repeated tier element each."""
    tier: list[Tier]


class Rate(TypedDict, total=False):
    """One carded rate (GEN Rate). chosen: currencies, validity and tiers required;
    card_segment_name only in FX Rate pushes (DOC sample).
    """
    partner_id: str
    event_type: Literal["CARDFX_PUB", "CARDFX_ESC"]
    type: Literal["tiered", "single"]
    use: Literal["CMSP", "MMSP"]
    from_currency_code: Required[str]
    to_currency_code: Required[str]
    valid_from: Required[str]
    valid_to: Required[str]
    account_type: Literal["BANK", "E-WALLET", "CARD", "CASH-OUT"]
    tier_identifier_rate: str
    card_segment_name: str
    tiers: Required[Tiers]


class Rates(TypedDict, total=False):
    """Carded rates; in XML one repeated rate element each. An empty object when there are none (3P:
    the real sandbox answers {"rates":{}}).
    """
    rate: list[Rate]


class RatesDocument(TypedDict):
    """JSON body of carded rates: root rates."""
    rates: Rates


class QuoteConfirmation(TypedDict):
    """The answer to a confirmation (REF QuoteConfirmationResponse; JSON without a root). chosen:
    status CONFIRMED, PENDING or REJECTED (only CONFIRMED is evidenced); XML root
    quoteconfirmationresponse (not documented).
    """
    transactionReference: str
    status: Literal["CONFIRMED", "PENDING", "REJECTED"]
    proposalId: str
    paymentSubmissionExpiryTime: NotRequired[str]


class QuoteCancellation(TypedDict):
    """The answer to a cancellation of a confirmed quote. chosen: the confirmation answer's shape
    without a root (REF's tests send the root-less body to both endpoints); REF's
    CancelConfirmedQuoteResponse class would read a cancelConfirmedQuoteResponse root.
    Cancellation is asynchronous (DOC), so status starts PENDING.
    """
    transactionReference: str
    status: Literal["PENDING", "CANCELLED", "REJECTED"]
    proposalId: str


class QuoteStatus(TypedDict, total=False):
    """Status of a confirmation or of a cancellation (REF QuoteStatus). chosen: status values as in
    QuoteConfirmation and QuoteCancellation.
    """
    status: Required[Literal["CONFIRMED", "PENDING", "CANCELLED", "REJECTED"]]
    statusTimestamp: str
    pendingStage: str
    errorCode: str
    errorMessage: str


class ConfirmedProposal(TypedDict):
    """A proposal of a confirmed quote (REF ProposedProposal, camelCase)."""
    id: str
    resourceType: Literal["proposal"]
    feesIncluded: bool
    expirationDate: NotRequired[str]
    quoteFxRate: str
    chargedAmount: Money
    creditedAmount: Money
    principalAmount: Money
    additionalDataList: NotRequired[AdditionalDataList]
    confirmationExpiryTime: NotRequired[str]


class ConfirmedQuote(TypedDict, total=False):
    """A confirmed quote (REF ProposedQuote)."""
    proposalId: Required[str]
    confirmStatus: Required[QuoteStatus]
    cancelStatus: QuoteStatus
    releasedReservedAmount: Money
    statusTimestamp: str
    paymentSubmissionExpiryTime: str
    paymentType: PaymentType
    proposals: list[ConfirmedProposal]


class ConfirmedQuoteStatus(TypedDict):
    """A confirmed quote as retrieved (REF RetrieveQuoteStatus; JSON without a root)."""
    transactionReference: str
    resourceType: Literal["quote"]
    created: NotRequired[str]
    quote: ConfirmedQuote
    partnerName: NotRequired[str]


class BalanceThresholdValue(TypedDict, total=False):
    """Threshold bounds (REF Threshold: JSON numbers)."""
    high: float
    low: float


class BalanceThreshold(TypedDict, total=False):
    """A configured threshold (REF BalanceThreshold)."""
    type: Required[str]
    value: BalanceThresholdValue


class BalanceDetails(TypedDict, total=False):
    """Balances of an account (GEN BalanceDetails; REF adds thresholds and queuedBalance)."""
    openingBalance: SignedMoney
    processedAmount: SignedMoney
    reservedBalance: SignedMoney
    availableBalance: SignedMoney
    settlementAccountBalance: SignedMoney
    thresholdAmount: SignedMoney
    queuedBalance: SignedMoney
    thresholds: list[BalanceThreshold]


class Account(TypedDict, total=False):
    """A prefunded settlement account (GEN Account). balanceDetails only with include_balance=true.
    chosen: accountState ACTIVE (GEN's only value) or INACTIVE.
    """
    accountId: Required[str]
    settlementCurrency: Required[str]
    accountState: Required[Literal["ACTIVE", "INACTIVE"]]
    openingBalanceTimestamp: str
    balanceAsOfTimestamp: str
    balanceDetails: BalanceDetails


# Every account of the partner: a top-level JSON array (GEN, REF, 3P).
Accounts: TypeAlias = list[Account]


class RfiItemRequest(TypedDict, total=False):
    """What is asked (REF Request)."""
    label: str
    kind: str


class RfiItemReview(TypedDict, total=False):
    """The review of an answer (REF Review)."""
    status: str


class RfiItemResponse(TypedDict, total=False):
    """The answer given (REF Response; any JSON value)."""
    value: Any


class RfiItem(TypedDict, total=False):
    """One item of a request for information: what is asked, its review and the answer (REF)."""
    request: RfiItemRequest
    review: RfiItemReview
    response: RfiItemResponse


class RfiPartySection(TypedDict, total=False):
    """The items about the sender or the recipient (REF Sender; chosen: the recipient has the same
    items).
    """
    fullName: RfiItem
    dateOfBirth: RfiItem
    placeOfBirth: RfiItem
    nationality: RfiItem
    governmentId: RfiItem
    fullAddress: RfiItem
    sourceOfIncome: RfiItem
    additionalDocuments: RfiItem
    additionalQuestion: RfiItem


class RfiPaymentAndDocsSection(TypedDict, total=False):
    """The items about the payment (REF PaymentAndDocs)."""
    additionalDocuments: RfiItem
    paymentPurpose: RfiItem
    senderRecipientRelation: RfiItem
    supportingDocs: RfiItem
    additionalQuestion: RfiItem


class RfiComment(TypedDict, total=False):
    """A comment (REF Comments)."""
    creator: str
    text: str
    timestamp: str


class RfiOtherSection(TypedDict, total=False):
    """Comments and documents (REF Other)."""
    comments: list[RfiComment]
    responseDocuments: RfiItem
    requestDocuments: RfiItem


class RfiTransaction(TypedDict, total=False):
    """A payment the request is about (REF Transactions)."""
    recipientUri: str
    senderUri: str
    paymentDateTime: str
    transactionReference: str


class RfiRequest(TypedDict, total=False):
    """A request for information (REF RetrieveResponse). chosen: dates are strings of unchecked
    format (not documented); requestId a UUID-like id.
    """
    assignee: str
    closureDate: str
    creator: str
    firstResponseDate: str
    lastUpdatedDate: str
    requestId: Required[str]
    requestCreateDate: str
    requestInstruction: str
    requestStatus: Required[RfiRequestStatus]
    responseType: str
    transactions: list[RfiTransaction]
    sender: RfiPartySection
    recipient: RfiPartySection
    paymentAndDocs: RfiPaymentAndDocsSection
    other: RfiOtherSection


class RfiRequestEvent(TypedDict, total=False):
    """One event of a request's history (REF RequestHistory)."""
    eventRef: str
    eventType: str
    eventActor: str
    timestamp: str


class RfiRequestHistory(TypedDict, total=False):
    """A request's history (REF RequestStatus)."""
    requestHistory: list[RfiRequestEvent]


class RfiRetrieveResponseDocument(TypedDict, total=False):
    """JSON body of a retrieved request (REF RetrieveRequestResponse)."""
    retrieveResponse: Required[RfiRequest]
    requestStatus: RfiRequestHistory


class RfiUpdateResponse(TypedDict):
    """The answer to an update (REF UpdateResponse)."""
    referenceId: str
    requestStatus: RfiRequestStatus


class RfiUpdateResponseDocument(TypedDict):
    """JSON body: root updateResponse."""
    updateResponse: RfiUpdateResponse


class RfiUploadDocumentResponse(TypedDict, total=False):
    """The answer to an upload (REF)."""
    referenceId: str
    documentId: Required[str]


class RfiUploadDocumentResponseDocument(TypedDict):
    """JSON body: root uploadDocumentResponse."""
    uploadDocumentResponse: RfiUploadDocumentResponse


class RfiDownloadDocumentResponse(TypedDict):
    """A downloaded document (REF)."""
    file: str
    fileName: str
    referenceId: NotRequired[str]


class RfiDownloadDocumentResponseDocument(TypedDict):
    """JSON body: root downloadDocumentResponse."""
    downloadDocumentResponse: RfiDownloadDocumentResponse


class BavAccount(TypedDict):
    """An account in a BAV answer (REF Account: type and value)."""
    type: str
    value: str


class BavAccounts(TypedDict, total=False):
    """Accounts; one repeated account element each."""
    account: list[BavAccount]


class BavBicValue(TypedDict):
    """A bank identifier in a BAV answer (REF Bic)."""
    type: str
    value: str


class BavBankAddress(TypedDict, total=False):
    """A bank's address (REF BavAddress)."""
    line1: str
    city: str
    postalCode: str
    country: str


class BavBank(TypedDict, total=False):
    """A bank (REF Bank)."""
    bic: BavBicValue
    name: str
    branchName: str
    branchCode: str
    address: BavBankAddress


class IbanDetails(TypedDict, total=False):
    """Generated IBANs and their bank (REF IbanDetails); e.g. the real sandbox's
    FR1420041010050500013M02606.
    """
    accounts: BavAccounts
    bank: BavBank


class GenerateIbanResponse(TypedDict):
    """JSON body: root ibanDetails."""
    ibanDetails: IbanDetails


class AccountMatch(TypedDict, total=False):
    """The account and bank found (REF AccountMatch)."""
    accounts: BavAccounts
    bank: BavBank


class CrossBorderEligibility(TypedDict, total=False):
    """Cross-border eligibility of a card (REF CrossBorder)."""
    eligible: Literal["Y", "N"]
    fasterFunds: Literal["Y", "N"]


class ReceivingEligibility(TypedDict, total=False):
    """Whether a card can receive (REF ReceivingEligibility)."""
    crossBorder: CrossBorderEligibility
    paymentSystem: str
    product: str
    status: Literal["ELIGIBLE", "INELIGIBLE"]


class AccountValidationResponse(TypedDict, total=False):
    """The answer to an account validation (REF ValidateAccountResponse; JSON without a root).
    chosen: status SUCCESS or FAILURE (only SUCCESS is evidenced).
    """
    refId: str
    status: Required[Literal["SUCCESS", "FAILURE"]]
    message: str
    accountMatch: AccountMatch
    receivingEligibility: ReceivingEligibility


class RoutingEnablement(TypedDict, total=False):
    """ACH or wire enablement of a bank identifier (REF ACH)."""
    enabled: bool
    preferredRoutingNumber: str


class BankInfoBic(TypedDict, total=False):
    """A bank identifier found by a lookup (REF Bic + ACH/wire)."""
    type: Required[str]
    value: Required[str]
    ach: RoutingEnablement
    wire: RoutingEnablement


class BankInfoAddress(TypedDict, total=False):
    """A bank's address in a lookup (REF). chosen: these members."""
    line1: str
    city: str
    countrySubdivision: str
    postalCode: str
    country: str


class SanctionDetails(TypedDict, total=False):
    """Sanction list hits (REF)."""
    eu: bool
    hmt: bool
    ofac: bool
    un: bool


class LocalDetails(TypedDict, total=False):
    """The bank's name and address in local script (REF)."""
    bankName: str
    branchName: str
    addressLine: str
    city: str


class BankData(TypedDict, total=False):
    """One bank found (REF BankData)."""
    bics: list[BankInfoBic]
    name: str
    branchName: str
    address: BankInfoAddress
    sanctionDetails: SanctionDetails
    localDetails: list[LocalDetails]


class Banks(TypedDict, total=False):
    """Banks found."""
    bankData: list[BankData]


class BankInfo(TypedDict, total=False):
    """The result of a bank lookup (REF BankInfoResponse)."""
    total: Required[int]
    banks: Banks


class BankLookupResponse(TypedDict):
    """JSON body: root bankInfo."""
    bankInfo: BankInfo


class EndpointGuideSupportedValue(TypedDict, total=False):
    """An allowed value of a field (REF)."""
    id: str
    name: str


class EndpointGuideField(TypedDict, total=False):
    """A field of a corridor's technical specification (REF Field). chosen: mandatory is a string
    (REF types it String; values not documented).
    """
    fieldName: Required[str]
    mandatory: str
    validationPattern: str
    additionalFieldId: str
    additionalFieldName: str
    specialNotes: str
    effectiveDate: str
    lastUpdatedTime: str
    lastUpdateComments: str
    supportedValues: list[EndpointGuideSupportedValue]


class EndpointGuideTechnical(TypedDict, total=False):
    """Technical specification (TEG) of a corridor (REF)."""
    specialNotes: str
    lastUpdatedTime: str
    fields: list[EndpointGuideField]


class EndpointGuideBusiness(TypedDict, total=False):
    """Business specification (BEG) of a corridor (REF BusinessBeg). chosen: open (the nested DTOs
    are not all known); the known members are typed.
    """
    region: str
    supportedCustomerTypes: list[str]
    supportedFxModel: str
    recipientNotification: bool
    flowTypes: list[str]
    channelReach: str
    deliveryTime: str
    notes: str
    brands: list[str]
    channels: str
    onFlyWalletCreation: str
    restrictedFlows: list[str]
    registrationRequirements: str
    clearingPaymentInformation: dict[str, Any]
    cashPickupInformation: dict[str, Any]
    receivingInstitution: dict[str, Any]
    sendTransactionAmountLimit: dict[str, Any]
    receiveTransactionAmountLimit: dict[str, Any]
    clearingSystemDetails: list[dict[str, Any]]
    documentations: list[dict[str, Any]]
    preApprovedRequirements: list[dict[str, Any]]


class EndpointGuideSpecification(TypedDict):
    """A corridor's specification (REF EndpointGuideResponse)."""
    paymentType: PaymentType
    destinationCountry: str
    destinationCurrency: str
    destinationPaymentInstrument: DestinationPaymentInstrument
    technical: NotRequired[EndpointGuideTechnical]
    business: NotRequired[EndpointGuideBusiness]


# Endpoint Guide answer: a top-level JSON array (REF).
EndpointGuideSpecifications: TypeAlias = list[EndpointGuideSpecification]


class ValidatedAddress(TypedDict, total=False):
    """chosen: the address in the country's structure, with the members of AddressToValidate."""
    line1: Required[str]
    line2: str
    line3: str
    city: str
    countrySubdivision: str
    postalCode: str
    country: Required[str]


class AddressValidationResponse(TypedDict):
    """chosen: a valid address is answered with the country-specific structure (DOC) under
    'address'; an invalid one with a 400 error envelope.
    """
    address: ValidatedAddress


class ErrorDetail(TypedDict, total=False):
    """One detail of an error. Name may be missing (3P: a real Detail with only Value 130202)."""
    Name: str
    Value: Required[str]


class ErrorDetails(TypedDict):
    """Details: Detail is an object for one, an array for several."""
    Detail: ErrorDetail | list[ErrorDetail]


class Error(TypedDict):
    """One business error (SPEC §8.3). Recoverable is the string "true"/"false" in XBS examples and
    a boolean from the gateway.
    """
    RequestId: NotRequired[str]
    Source: str
    ReasonCode: str
    Description: str
    Recoverable: bool | BooleanString
    Details: NotRequired[ErrorDetails | None]


class ErrorList(TypedDict):
    """Error is an object for one error and an array for several; in XML the root Errors with
    repeated Error elements.
    """
    Error: Error | list[Error]


class Errors(TypedDict):
    """JSON error envelope of XBS (SPEC §8.3); also matches the gateway's."""
    Errors: ErrorList


class GatewayError(TypedDict):
    """One error of Mastercard's API gateway (SPEC §2.8)."""
    RequestId: NotRequired[str]
    Source: str
    ReasonCode: str
    Description: str
    Recoverable: bool
    Details: NotRequired[ErrorDetails | None]


class GatewayErrorList(TypedDict):
    """The gateway always writes Error as an array."""
    Error: list[GatewayError]


class GatewayErrors(TypedDict):
    """JSON error envelope of the gateway (SPEC §2.8)."""
    Errors: GatewayErrorList


class EncryptedPayloadData(TypedDict):
    """The JWE of an encrypted body (SPEC §3.2)."""
    data: str


class EncryptedPayload(TypedDict):
    """With x-encrypted: true, a body is this wrapper around the JWE of the plain document (SPEC
    §3.2); the schemas of this document describe the plain document.
    """
    encrypted_payload: EncryptedPayloadData


class StatusChangeNotification(TypedDict):
    """Status Change Push (DOC: POST to the partner's webhook, JSON, mTLS). chosen: an event
    envelope carrying the payment as retrieve answers it, or the confirmed quote as its retrieve
    answers it (the body is not documented in a readable page).
    """
    eventRef: str
    eventType: Literal["PAYMENT", "QUOTE"]
    eventTimestamp: str
    partnerId: NotRequired[str]
    transactionReference: str
    payment: NotRequired[RetrievePayment]
    quote: NotRequired[ConfirmedQuoteStatus]


class CardedRateNotification(TypedDict):
    """FX Rate (Carded Rate) Push (DOC; sample shown in XML). chosen: the pull answer's rates with
    an eventRef, in JSON.
    """
    eventRef: str
    rates: Rates


class RfiNotification(TypedDict):
    """RFI Push (DOC says GET .../rfi/webhooks; chosen: POST with a JSON body, as the other pushes).
    chosen shape: the request's id, status and payments.
    """
    eventRef: str
    eventType: Literal["REQUEST_CREATED", "REQUEST_UPDATED", "REQUEST_CLOSED", "REQUEST_CANCELLED"]
    eventTimestamp: str
    partnerId: NotRequired[str]
    requestId: str
    requestStatus: RfiRequestStatus
    transactions: NotRequired[list[RfiTransaction]]


class AccountValidationNotification(TypedDict):
    """Account Validation Push (DOC). chosen: the account validation answer with an eventRef."""
    eventRef: str
    eventTimestamp: str
    partnerId: NotRequired[str]
    accountValidation: AccountValidationResponse
