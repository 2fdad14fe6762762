"""The push sender: a thread of each ``serve`` process that empties the outbox.

Each turn it writes the pushes that time made due (a payment settled by its schedule, a
new day's carded rates; ``xbsec.sandbox.pushes``), then sends every due push of the outbox
(``xbsec.sandbox.outbox``), one at a time, oldest first: ``POST`` to the webhook URL over
mutual TLS (``xbsec.sandbox.push_settings``), JSON, and for the kinds in ``encrypt``
(RFI) ``x-encrypted: true`` with the body in the ``encrypted_payload`` envelope, encrypted
to the partner's Mastercard-encryption certificate as responses are (SPEC §9, §3.5); a
partner without one gets them plain. Anything but a 200 within the timeout is a failed
attempt, retried after ``retry_delays``; after the last, the push is failed.

A turn starts when a request wakes it (the sandbox calls ``wake`` after each request)
or every ``poll_interval`` seconds. The log (``xbsec.sandbox.pushes``) gets each attempt's
outcome with the push's ``eventRef`` and kind, never its content.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from xbsec.sandbox.outbox import Due, attempt_failed, delivered, take
from xbsec.sandbox.pushes import carded_rates_due, due_quote_cancellations, due_status_changes

if TYPE_CHECKING:
    from cryptography import x509

    from xbsec.sandbox.push_settings import PushSettings
    from xbsec.sandbox.store import Store

__all__ = ["PushSender"]

_log = logging.getLogger("xbsec.sandbox.pushes")
_MAX_ANSWER: Final = 64 * 1024


class PushSender:
    """Sends the outbox of one sandbox database (see the module's text)."""

    def __init__(self, store: Store, settings: PushSettings, *,
                 encryption_certificate: Callable[[str], x509.Certificate | None],
                 partners: Callable[[], Iterable[str]],
                 clock: Callable[[], float] = time.time,
                 wake: threading.Event | None = None) -> None:
        if settings.url is None:
            from xbsec.errors import ConfigurationError

            raise ConfigurationError("no webhook URL: the sandbox has nowhere to push")
        self.store = store
        self.settings = settings
        self.encryption_certificate = encryption_certificate
        self.partners = partners
        self.clock = clock
        self._wake = wake or threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context = settings.ssl_context()
        parts = urlsplit(settings.url)
        self._host = parts.hostname or ""
        self._port = parts.port or 443
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    # -- the thread -------------------------------------------------------------------------

    def wake(self) -> None:
        """Start a turn now (something may have been pushed)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="xbsec-push-sender",
                                        daemon=True)
        self._thread.start()
        _log.info("pushing to %s", self.settings.shown_url())

    def stop(self) -> None:
        """End the thread after the attempt under way, if any."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        self._wake.set()
        thread.join(timeout=self.settings.timeout + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception as exc:  # the next turn tries again; the cause goes to the log
                _log.error("the push sender's turn stopped: %s: %s", type(exc).__name__,
                           str(exc)[:200])
            self._wake.wait(self.settings.poll_interval)

    # -- one turn -----------------------------------------------------------------------------

    def run_once(self) -> int:
        """Write what time made due, then send every due push; how many attempts it made."""
        with self.store.transaction(write=True) as db:
            now = self.clock()
            due_status_changes(db, now)
            due_quote_cancellations(db, now)
            carded_rates_due(db, self.partners(), now)
        attempts = 0
        while not self._stop.is_set():
            with self.store.transaction(write=True) as db:
                due = take(db, self.clock(), self.settings.lease)
            if due is None:
                return attempts
            status, error = self._send(due)
            attempts += 1
            with self.store.transaction(write=True) as db:
                if error is None:
                    delivered(db, due, self.clock())
                    gave_up = False
                else:
                    gave_up = attempt_failed(db, due, self.clock(), status, error,
                                             self.settings.retry_delays)
            self._log(due, error, gave_up)
        return attempts

    def _log(self, due: Due, error: str | None, gave_up: bool) -> None:
        url = self.settings.shown_url()
        if error is None:
            _log.info("push %s (%s) delivered to %s, attempt %d", due.event_ref, due.kind, url,
                      due.attempt)
        elif gave_up:
            _log.error("push %s (%s) to %s failed after %d attempts: %s; it is listed as "
                       "failed by GET /sandbox/webhooks/deliveries", due.event_ref, due.kind,
                       url, due.attempt, error)
        else:
            _log.warning("push %s (%s) to %s, attempt %d: %s; it will be sent again",
                         due.event_ref, due.kind, url, due.attempt, error)

    def _body(self, due: Due) -> tuple[bytes, dict[str, str]]:
        body = due.document.encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if due.kind in self.settings.encrypt:
            certificate = self.encryption_certificate(due.partner_id)
            if certificate is not None:
                from xbsec.payload import encrypt_payload

                body = encrypt_payload(body, certificate, content_type="application/json")
                headers["x-encrypted"] = "true"
        headers["Content-Length"] = str(len(body))
        return body, headers

    def _send(self, due: Due) -> tuple[int | None, str | None]:
        """POST one push: ``(status, None)`` on a 200, else ``(status or None, why)``."""
        body, headers = self._body(due)
        connection = http.client.HTTPSConnection(self._host, self._port,
                                                 context=self._context,
                                                 timeout=self.settings.timeout)
        try:
            connection.request("POST", self._target, body, headers)
            response = connection.getresponse()
            response.read(_MAX_ANSWER)
        except ssl.SSLCertVerificationError as exc:
            return None, f"the receiver's certificate is not trusted: {exc.verify_message}"
        except ssl.SSLError as exc:
            return None, f"TLS failed: {exc.reason or type(exc).__name__}"
        except TimeoutError:
            return None, f"no answer within {self.settings.timeout:g} s"
        except (OSError, http.client.HTTPException) as exc:
            cause = getattr(exc, "strerror", None) or type(exc).__name__
            return None, f"cannot reach the receiver: {cause}"
        finally:
            connection.close()
        if response.status != 200:
            return response.status, f"answered {response.status}"
        return 200, None

