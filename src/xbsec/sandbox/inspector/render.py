"""The inspector's HTML, rendered on the server; every value escaped where it is written.

What the page shows is mostly what clients sent (paths, headers, bodies, nonces), so every
value goes through ``_e`` (``html.escape``, quotes included) at the place it enters the
markup, and the page carries no inline script or style: the ``Content-Security-Policy``
of ``page.py`` allows only the two files of ``assets.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode

from xbsec.sandbox.inspector.store import DEFAULT_KEEP, Filters, ListedRequest

__all__ = ["detail_page", "list_page", "refusal_page", "rows_fragment"]

_MARKS = {"ok": "✓", "refused": "✗", "skipped": "·"}


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _when(timestamp: float, *, date: bool = False) -> str:
    moment = time.localtime(timestamp)
    shown = time.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S", moment)
    return f"{shown}.{int(timestamp * 1000) % 1000:03d}"


def _short(consumer: str | None) -> str:
    if not consumer:
        return "-"
    return consumer if len(consumer) <= 20 else f"{consumer[:12]}…{consumer[-4:]}"


def _status_class(status: int) -> str:
    return "ok" if status < 400 else "refused"


def layout(title: str, body: str, prefix: str) -> str:
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(title)}</title>"
        f"<link rel=\"stylesheet\" href=\"{_e(prefix)}static/inspector.css\">"
        f"<link rel=\"icon\" href=\"{_e(prefix)}static/icon.svg\" type=\"image/svg+xml\">"
        f"<script src=\"{_e(prefix)}static/inspector.js\" defer></script></head>"
        f"<body><header><a href=\"{_e(prefix)}\">xbsec sandbox inspector</a>"
        "<span class=\"note\">sandbox keys only: everything here is test data</span>"
        f"</header><main>{body}</main></body></html>\n")


def refusal_page(prefix: str) -> str:
    return layout("xbsec sandbox inspector", (
        "<h1>Not without the token</h1><p>Open the inspector with the URL "
        "<code>xbsec sandbox serve</code> printed when it started (it ends in "
        "<code>?token=…</code>); the token changes every time the sandbox starts.</p>"),
        prefix)


def _marks(steps: Iterable[Sequence[str]]) -> str:
    return "".join(
        f"<span class=\"mark {_e(outcome)}\" title=\"{_e(name)}: {_e(outcome)}\" "
        f"data-step=\"{_e(name)}\">{_MARKS.get(outcome, '?')}</span>"
        for name, outcome in steps)


def rows_fragment(rows: Sequence[ListedRequest], prefix: str) -> str:
    if not rows:
        return "<tr class=\"empty\"><td colspan=\"8\">No request.</td></tr>"
    out = []
    for row in rows:
        link = f"{_e(prefix)}requests/{row.id}"
        out.append(
            f"<tr class=\"{_status_class(row.status)}\" data-id=\"{row.id}\">"
            f"<td class=\"time\"><a href=\"{link}\" "
            f"title=\"{_e(_when(row.received_at, date=True))}\">"
            f"{_e(_when(row.received_at))}</a></td>"
            f"<td class=\"target\"><a href=\"{link}\"><span class=\"method\">{_e(row.method)}"
            f"</span> {_e(row.path)}</a></td>"
            f"<td class=\"status\">{row.status}</td>"
            f"<td class=\"reason\">{_e(row.reason or '')}</td>"
            f"<td class=\"failed\">{_e(row.failed or '')}</td>"
            f"<td class=\"consumer\" title=\"{_e(row.consumer or '')}\">"
            f"{_e(_short(row.consumer))}</td>"
            f"<td class=\"marks\">{_marks(row.steps)}</td>"
            f"<td class=\"latency\">{row.latency_ms:.1f} ms</td></tr>")
    return "".join(out)


def _options(name: str, label: str, values: Iterable[tuple[str, str]], chosen: str) -> str:
    options = "".join(
        f"<option value=\"{_e(value)}\"{' selected' if value == chosen else ''}>{_e(text)}"
        "</option>" for value, text in values)
    return f"<label>{_e(label)} <select name=\"{_e(name)}\">{options}</select></label>"


def list_page(rows: Sequence[ListedRequest], filters: Filters, consumers: Sequence[str],
              reasons: Sequence[str], kept: int, newest: int, prefix: str) -> str:
    chosen = {"consumer": filters.consumer, "status": filters.status,
              "reason": filters.reason, "path": filters.path}
    query = urlencode({k: v for k, v in chosen.items() if v})
    consumer_values = [("", "any"), *((c, _short(c)) for c in consumers)]
    if filters.consumer and filters.consumer not in consumers:
        consumer_values.append((filters.consumer, _short(filters.consumer)))
    status_values = [("", "any"), ("ok", "ok (below 400)"), ("refused", "refused (400 and up)")]
    if filters.status not in ("", "ok", "refused"):
        status_values.append((filters.status, filters.status))
    reason_values = [("", "any"), *((r, r) for r in reasons)]
    if filters.reason and filters.reason not in reasons:
        reason_values.append((filters.reason, filters.reason))
    form = (
        f"<form class=\"filters\" method=\"get\" action=\"{_e(prefix)}\">"
        + _options("consumer", "Consumer", consumer_values, filters.consumer)
        + _options("status", "Status", status_values, filters.status)
        + _options("reason", "ReasonCode", reason_values, filters.reason)
        + f"<label>Path <input type=\"search\" name=\"path\" value=\"{_e(filters.path)}\" "
        "placeholder=\"part of the path\"></label>"
        "<button type=\"submit\">Filter</button>"
        f"<a class=\"clear\" href=\"{_e(prefix)}\">Clear</a></form>")
    table = (
        f"<p class=\"count\">Requests kept: <span id=\"kept\">{kept}</span> (the last "
        f"{DEFAULT_KEEP:,}), newest first; the list follows new ones by itself.</p>"
        "<table class=\"requests\"><thead><tr><th>time</th><th>request</th><th>status</th>"
        "<th>ReasonCode</th><th>refused at</th><th>consumer</th><th>checks</th><th>latency</th>"
        "</tr></thead>"
        f"<tbody id=\"rows\" data-newest=\"{newest}\" "
        f"data-source=\"{_e(prefix)}rows{'?' + _e(query) if query else ''}\">"
        f"{rows_fragment(rows, prefix)}</tbody></table>")
    return layout("Requests · xbsec sandbox inspector", form + table, prefix)


def _details(pairs: Iterable[Sequence[str]]) -> str:
    items = "".join(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in pairs)
    return f"<dl class=\"details\">{items}</dl>" if items else ""


def _segments(segments: Iterable[Sequence[Any]]) -> str:
    return "".join(f"<mark>{_e(text)}</mark>" if differs else _e(text)
                   for text, differs in segments)


def _base_string(block: dict[str, Any]) -> str:
    out = ["<div class=\"base-string\"><h4>built by the gateway</h4>"
           f"<pre class=\"built\">{_segments(block.get('built', []))}</pre>"]
    if block.get("signed"):
        out.append("<h4>what the signature verifies under</h4>"
                   f"<pre class=\"signed\">{_segments(block['signed'])}</pre>")
    tried = block.get("tried") or []
    if tried:
        out.append("<details><summary>the other constructions, none of which the signature "
                   "verifies under</summary>"
                   + "".join(f"<pre>{_e(text)}</pre>" for text in tried) + "</details>")
    out.append("</div>")
    return "".join(out)


def _step(step: dict[str, Any]) -> str:
    outcome = str(step.get("outcome", "skipped"))
    parts = [f"<li class=\"step {_e(outcome)}\" data-step=\"{_e(step.get('name', ''))}\">"
             f"<div class=\"head\"><span class=\"mark {_e(outcome)}\">"
             f"{_MARKS.get(outcome, '?')}</span> <b>{_e(step.get('name', ''))}</b> "
             f"<span class=\"summary\">{_e(step.get('summary', ''))}</span>"]
    if step.get("reason_code"):
        parts.append(f" <span class=\"reason\">{_e(step['reason_code'])}</span>")
    parts.append("</div>")
    if outcome != "skipped":
        parts.append(_details(step.get("details") or []))
    if step.get("fix"):
        parts.append(f"<p class=\"fix\"><b>Fix:</b> {_e(step['fix'])}</p>")
    if step.get("base_string") and outcome != "skipped":
        parts.append(_base_string(step["base_string"]))
    parts.append("</li>")
    return "".join(parts)


def _headers(pairs: Iterable[Sequence[str]]) -> str:
    rows = "".join(f"<tr><th>{_e(name)}</th><td>{_e(value)}</td></tr>"
                   for name, value in pairs)
    return f"<table class=\"headers\">{rows}</table>" if rows else "<p>No header.</p>"


def _document(document: dict[str, Any] | None, documents: bool, what: str) -> str:
    if document is None:
        return ("<p class=\"none\">No document.</p>" if documents
                else f"<p class=\"none\">The {_e(what)} is not kept.</p>")
    cut = (f"<p class=\"note\">Cut: the first {len(document['text'])} characters of "
           f"{document['size']} bytes.</p>" if document.get("cut") else "")
    return f"{cut}<pre class=\"document\">{_e(_pretty(str(document['text'])))}</pre>"


def _pretty(text: str) -> str:
    """A JSON document indented for reading; anything else as it is."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    return text


def _errors(errors: Sequence[dict[str, Any]]) -> str:
    if not errors:
        return ""
    rows = "".join(
        f"<tr><td>{_e(e.get('source', ''))}</td><td class=\"reason\">"
        f"{_e(e.get('reason_code', ''))}</td><td>{_e(e.get('description', ''))}</td>"
        f"<td>{'yes' if e.get('recoverable') else 'no'}</td></tr>" for e in errors)
    return ("<h3>Errors</h3><table class=\"errors\"><thead><tr><th>Source</th>"
            "<th>ReasonCode</th><th>Description</th><th>Recoverable</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def detail_page(detail: dict[str, Any], reproduce: str, prefix: str,
                request: str = "") -> str:
    status = int(detail.get("status", 0))
    reason = detail.get("reason_code") or ""
    summary = _details([
        ("request id", detail.get("request_id", "")),
        ("received", _when(float(detail.get("received_at", 0)), date=True)),
        ("consumer", detail.get("consumer") or "-"),
        ("partner", detail.get("partner") or "-"),
        ("auth", detail.get("auth") or "-"),
        ("encrypted", "yes" if detail.get("encrypted") else "no"),
        ("latency", f"{float(detail.get('latency_ms', 0)):.1f} ms"),
    ])
    from xbsec.server.inspection import (
        business_errors,
        explain_steps,
        header_pairs,
        record_url,
    )

    steps = "".join(_step(step) for step in explain_steps(detail))
    documents = bool(detail.get("documents"))
    body = (
        f"<p><a href=\"{_e(prefix)}\">← all requests</a></p>"
        f"<h1><span class=\"method\">{_e(detail.get('method', ''))}</span> "
        f"{_e(detail.get('path', ''))} <span class=\"status {_status_class(status)}\">"
        f"{status}</span> <span class=\"reason\">{_e(reason)}</span></h1>{summary}"
        "<section id=\"checks\"><h2>The gateway's checks, in order</h2>"
        f"<ol class=\"steps\">{steps or '<li>Not inspected.</li>'}</ol></section>"
        "<section id=\"request\"><h2>Request</h2>"
        f"<p class=\"url\"><span class=\"method\">{_e(detail.get('method', ''))}</span> "
        f"{_e(record_url(detail))}</p>"
        f"{_headers(header_pairs(detail.get('headers', '')))}"
        f"<p>Body: {int(detail.get('body_size', 0))} bytes received.</p></section>"
        "<section id=\"document\"><h2>Request document"
        f"{' (decrypted)' if detail.get('encrypted') else ''}</h2>"
        f"{_document(detail.get('request_document'), documents, 'request document')}"
        "</section>"
        f"<section id=\"response\"><h2>Response <span class=\"status {_status_class(status)}\">"
        f"{status}</span></h2>{_errors(business_errors(detail))}"
        f"{_headers(header_pairs(detail.get('response_headers', '')))}"
        f"{_document(detail.get('response_document'), documents, 'response document')}"
        "</section>"
        "<section id=\"reproduce\"><h2>Reproduce</h2>"
        "<p>The same call again, signed afresh (a new nonce and timestamp), with the "
        "project's profile:</p>"
        f"<pre id=\"request-command\">{_e(request)}</pre>"
        "<button type=\"button\" class=\"copy\" data-copy=\"request-command\">Copy</button>"
        "<p>or with <code>curl</code>, the bytes as they went (encrypted again when they "
        "were):</p>"
        f"<pre id=\"reproduce-command\">{_e(reproduce)}</pre>"
        "<button type=\"button\" class=\"copy\" data-copy=\"reproduce-command\">Copy</button>"
        "</section>")
    title = f"{detail.get('method', '')} {detail.get('path', '')} {status}"
    return layout(f"{title} · xbsec sandbox inspector", body, prefix)
