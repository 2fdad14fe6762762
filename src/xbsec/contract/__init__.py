"""The XBS business contract, written once as data: ``xbs-openapi.json`` in this package.

One OpenAPI 3.1 document describes every business endpoint of Mastercard Cross-Border
Services (and the local sandbox's own control), with the real wire names, both formats and
the push notification bodies. It is written for both sides of xbsec, the sandbox (checking
requests, shaping answers) and ``XBSClient`` (building requests, reading answers);
``xbsec.contract.documents`` holds the TypedDicts generated from it.

    op = operation("create_quote")                 # method, path, parameters, media types
    request_validator("create_quote").validate(doc)        # PayloadError if it does not match
    response_validator("retrieve_payment", 200, "application/xml").validate(loads(xml, "xml"))

Pure core: the standard library only, plus ``jsonschema`` imported when the first validator
is built. The document is read once; ``document()`` hands out deep copies.
"""

from __future__ import annotations

from xbsec.contract._document import bundle, component, document, document_bytes
from xbsec.contract.conform import conform_xml
from xbsec.contract.operations import JSON, XML, Operation, Parameter, operation, operation_ids
from xbsec.contract.validation import (
    DocumentValidator,
    Problem,
    request_validator,
    response_validator,
    schema_validator,
)

__all__ = [
    "JSON",
    "XML",
    "DocumentValidator",
    "Operation",
    "Parameter",
    "Problem",
    "component_schema",
    "conform_xml",
    "document",
    "document_bytes",
    "operation",
    "operation_ids",
    "request_schema",
    "request_validator",
    "response_schema",
    "response_validator",
    "schema_validator",
]


def request_schema(operation_id: str, media_type: str = JSON) -> dict[str, object]:
    """Bundled JSON Schema 2020-12 of ``operation_id``'s request body in ``media_type``."""
    return operation(operation_id).request_schema(media_type)


def response_schema(operation_id: str, status: int | str = 200,
                    media_type: str = JSON) -> dict[str, object]:
    """Bundled JSON Schema 2020-12 of ``operation_id``'s ``status`` response body."""
    return operation(operation_id).response_schema(status, media_type)


def component_schema(name: str) -> dict[str, object]:
    """Bundled JSON Schema 2020-12 of the component schema ``name`` (``Payment``, ...)."""
    component(name)  # refuses an unknown name with a ConfigurationError
    return bundle({"$ref": f"#/components/schemas/{name}"})
