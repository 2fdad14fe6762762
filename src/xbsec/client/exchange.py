"""One request as it was sent and its response as it was read, kept together.

An HTTP integration hands its library a response object (``requests.Response``,
``httpx.Response``) whose body is already plaintext. What only the pipeline knows stays
here: the exact bytes that were signed and sent, whether they were encrypted, and the
decrypted response with its format, so that the document or the typed XBS error can still
be had from it::

    exchange = exchange_of(response)        # from xbsec.integrations.requests or .httpx
    exchange.request.body                   # the bytes that were signed and sent
    exchange.document()                     # the parsed document, or raises ApiError
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xbsec.client.pipeline import ClientPipeline, IncomingResponse, OutgoingRequest
    from xbsec.errors import ApiError

__all__ = ["Exchange"]


@dataclass(frozen=True, slots=True)
class Exchange:
    """A request as sent, its response as read (decrypted), and the pipeline of both."""

    pipeline: ClientPipeline
    request: OutgoingRequest
    response: IncomingResponse

    def document(self) -> Any:
        """The parsed response document; ``ApiError`` (typed) for a 4xx or 5xx."""
        return self.pipeline.document(self.response)

    def error(self) -> ApiError:
        """The typed error of a 4xx or 5xx response (not raised)."""
        return self.pipeline.error(self.response)
