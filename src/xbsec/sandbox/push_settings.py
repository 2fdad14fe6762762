"""Where and how the sandbox pushes: ``server/webhooks.toml`` of a project.

``xbsec sandbox init`` writes it (names relative to ``server/``)::

    url = "https://127.0.0.1:8443/webhooks"   # the partner's webhook; absent: no pushes
    client_certificate = "webhook-client.pem"  # issued by the test "Mastercard client CA"
    client_key = "webhook-client-key.pem"
    trust = ["webhook-server-ca.pem"]          # CAs the receiver's certificate must chain to
    encrypt = ["rfi"]                          # pushes sent encrypted (x-encrypted)
    timeout = 10.0                             # seconds for one attempt to be answered
    retry_delays = [1.0, 5.0, 15.0]            # seconds before each retry (three at most)

Edit it to point the sandbox at another receiver (a restart of ``serve`` reads it): add the
CA of a receiver's own certificate to ``trust``, or set ``url`` on a project made without
one. The sender is a TLS client that verifies the receiver's certificate and its host
name against ``trust`` only (never the system's CAs), and presents its client certificate.

Chosen: Mastercard's retry timing is not documented (SPEC §13 item 7); the default delays
are short, for a developer waiting on a local receiver, and tests make them shorter still.
An attempt succeeds on HTTP 200 alone (SPEC §9: "expects HTTP 200").
"""

from __future__ import annotations

import math
import ssl
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from xbsec.contract.notifications import KINDS
from xbsec.errors import ConfigurationError
from xbsec.sandbox.outbox import MAX_RETRIES

__all__ = ["DEFAULT_RETRY_DELAYS", "DEFAULT_TIMEOUT", "FILE", "PushSettings", "check_url",
           "settings_text"]

FILE: Final = "webhooks.toml"
DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_RETRY_DELAYS: Final = (1.0, 5.0, 15.0)
DEFAULT_POLL_INTERVAL: Final = 0.5


def check_url(url: str) -> str:
    """``url`` if the sandbox can push to it: ``https://host[:port][/path]``."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigurationError(f"a webhook URL must be https://HOST[:PORT]/PATH (pushes go "
                                 f"over mutual TLS), not {url!r}")
    if parts.username or parts.password:
        raise ConfigurationError("a webhook URL carries no user or password: the sandbox "
                                 "authenticates with its client certificate")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ConfigurationError(f"the webhook URL's port is not a number: {url!r}") from None
    return url


def settings_text(url: str | None) -> str:
    """The ``webhooks.toml`` ``init`` writes."""
    import json

    line = (f"url = {json.dumps(url)}" if url is not None else
            '# url = "https://127.0.0.1:8443/webhooks"   # set it to turn pushes on')
    return f"""# Push notifications (xbsec sandbox init): where the sandbox sends them, and how.
# The partner's webhook; without it the sandbox pushes nothing.
{line}
# The sandbox's client certificate, from the test "Mastercard client CA" (mutual TLS).
client_certificate = "webhook-client.pem"
client_key = "webhook-client-key.pem"
# The CAs a receiver's server certificate must chain to.
trust = ["webhook-server-ca.pem"]
# Pushes sent encrypted (x-encrypted: true) to the partner's Mastercard-encryption key.
encrypt = ["rfi"]
# Seconds one attempt may take, and before each retry (at most three retries).
timeout = {DEFAULT_TIMEOUT}
retry_delays = [{", ".join(str(d) for d in DEFAULT_RETRY_DELAYS)}]
"""


def _seconds(value: Any, name: str, where: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value >= 0):
        raise ConfigurationError(f"{where}: {name} must be a number of seconds, not {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class PushSettings:
    """``server/webhooks.toml``, read and checked."""

    url: str | None
    client_certificate: Path
    client_key: Path
    trust: tuple[Path, ...]
    encrypt: frozenset[str] = frozenset({"rfi"})
    timeout: float = DEFAULT_TIMEOUT
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    poll_interval: float = DEFAULT_POLL_INTERVAL
    """Seconds between two looks at the outbox when nothing wakes the sender."""

    @property
    def enabled(self) -> bool:
        return self.url is not None

    @property
    def lease(self) -> float:
        """How long a push taken for sending is held: past the longest attempt."""
        return 2 * self.timeout + 5.0

    @classmethod
    def load(cls, server: str | Path) -> PushSettings | None:
        """The settings of a project's ``server/`` folder; ``None`` if it has no file (a
        project made before pushes existed)."""
        path = Path(server) / FILE
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"{path}: cannot be read: {exc}") from None
        url = data.get("url")
        if url is not None and not isinstance(url, str):
            raise ConfigurationError(f"{path}: url must be a string")
        names = {name: data.get(name) for name in ("client_certificate", "client_key")}
        trust = data.get("trust", [])
        encrypt = data.get("encrypt", ["rfi"])
        delays = data.get("retry_delays", list(DEFAULT_RETRY_DELAYS))
        if not all(isinstance(v, str) and v for v in names.values()):
            raise ConfigurationError(f"{path}: client_certificate and client_key name files")
        if not isinstance(trust, list) or not trust or not all(isinstance(t, str) for t in trust):
            raise ConfigurationError(f"{path}: trust must list at least one CA file")
        if not isinstance(encrypt, list) or not set(encrypt) <= set(KINDS):
            raise ConfigurationError(f"{path}: encrypt lists push names ({', '.join(KINDS)})")
        if not isinstance(delays, list) or len(delays) > MAX_RETRIES:
            raise ConfigurationError(f"{path}: retry_delays lists at most {MAX_RETRIES} delays")
        timeout = _seconds(data.get("timeout", DEFAULT_TIMEOUT), "timeout", path)
        if timeout == 0:
            raise ConfigurationError(f"{path}: timeout must be more than 0 seconds")
        folder = Path(server)
        return cls(check_url(url) if url is not None else None,
                   folder / str(names["client_certificate"]), folder / str(names["client_key"]),
                   tuple(folder / t for t in trust), frozenset(encrypt), timeout,
                   tuple(_seconds(d, "retry_delays", path) for d in delays),
                   _seconds(data.get("poll_interval", DEFAULT_POLL_INTERVAL), "poll_interval",
                            path) or DEFAULT_POLL_INTERVAL)

    def ssl_context(self) -> ssl.SSLContext:
        """The sender's TLS: the receiver verified against ``trust``, the client
        certificate presented."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            for authority in self.trust:
                context.load_verify_locations(cafile=authority)
            context.load_cert_chain(self.client_certificate, self.client_key)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(f"the push settings' certificates cannot be used: "
                                     f"{exc}") from None
        return context

    def shown_url(self) -> str:
        """The URL for logs: scheme, host, port and path only."""
        if self.url is None:
            return "-"
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"
