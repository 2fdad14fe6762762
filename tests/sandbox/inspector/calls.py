"""The calls the inspector tests send a sandbox project: one good, one of each usual mistake.

Each is prepared (signed, encrypted) by the client pipeline from the project's own profile,
then changed the way an integrator's code gets it wrong, and sent as bytes.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xbsec.client import ClientPipeline, OAuth1Auth
from xbsec.keys import generate_rsa_key
from xbsec.oauth1 import OAuth1Signer
from xbsec.profile import Profile, load_profile

TOKEN = "inspector-test-token-0123456789abcdef"


def quote(reference: str | None = None) -> dict[str, Any]:
    return {"quoterequest": {
        "transaction_reference": reference or f"INSPECT-{uuid.uuid4().hex[:12]}",
        "sender_account_uri": "tel:+254108989",
        "recipient_account_uri": "ban:DE89370400440532013000;bic=COBADEFFXXX",
        "payment_amount": {"amount": "100.00", "currency": "USD"},
        "payment_origination_country": "USA", "payment_type": "P2P",
        "quote_type": {"forward": {"receiver_currency": "EUR", "fees_included": "false"}}}}


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def send(self, http: Any) -> Any:
        return http.request(self.method, self.url, headers=self.headers, content=self.body)


class Calls:
    """Calls for one project (its profile file), addressed to ``base_url``."""

    def __init__(self, profile_file: str | Path, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        profile: Profile = load_profile(path=profile_file, environ={})
        self.profile = dataclasses.replace(profile, base_url=self.base_url)
        self.consumer_key = profile.keys.consumer_key
        self.quotes = (f"{self.base_url}/send/v1/partners/{profile.partner_id}"
                       "/crossborder/quotes")

    def pipeline(self, *, encrypted: bool) -> ClientPipeline:
        return ClientPipeline.from_profile(dataclasses.replace(self.profile,
                                                               encryption=encrypted))

    def _call(self, out: Any) -> Call:
        return Call(out.method, out.url, dict(out.headers), out.body)

    def good(self, *, encrypted: bool = True, reference: str | None = None) -> Call:
        return self._call(self.pipeline(encrypted=encrypted).request(
            "POST", self.quotes, document=quote(reference)))

    def reserialised_body(self) -> Call:
        """Signed over one serialisation, sent as another: the body hash no longer holds."""
        document = quote()
        signed = self.pipeline(encrypted=False).request("POST", self.quotes, document=document)
        return dataclasses.replace(self._call(signed),
                                   body=json.dumps(document, indent=2).encode())

    def wrong_key(self) -> Call:
        """Signed with a key that is not the registered certificate's."""
        pipeline = self.pipeline(encrypted=False)
        pipeline.auth = OAuth1Auth(OAuth1Signer(self.consumer_key, generate_rsa_key()))
        return self._call(pipeline.request("POST", self.quotes, document=quote()))

    def tampered_ciphertext(self) -> Call:
        """Encrypted, one character of the ciphertext changed, then signed as sent."""
        encrypted = self.pipeline(encrypted=True).request("POST", self.quotes,
                                                          document=quote())
        envelope = json.loads(encrypted.body)
        pieces = envelope["encrypted_payload"]["data"].split(".")
        pieces[3] = ("A" if pieces[3][0] != "A" else "B") + pieces[3][1:]
        envelope["encrypted_payload"]["data"] = ".".join(pieces)
        tampered = json.dumps(envelope).encode()
        return self._call(self.pipeline(encrypted=False).request(
            "POST", self.quotes, body=tampered, headers={"x-encrypted": "true"}))

    def hostile(self) -> Call:
        """Markup in the path, a header and the body, signed: the page must show it as text."""
        url = self.quotes + "/%3Cscript%3Ealert(1)%3C"
        out = self.pipeline(encrypted=False).request(
            "POST", url, body=b'{"quoterequest":"<script>alert(3)</script>"}',
            headers={"X-Note": "<script>alert(2)</script>", "Content-Type": "application/json"})
        return self._call(out)

