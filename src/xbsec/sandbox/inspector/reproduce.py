"""Shell commands that send an inspected call again, signed afresh (a new nonce and
timestamp: the original would be a replay):

- ``xbsec request``, from the project's profile: its keys, its encryption setting;
- ``curl``, the bytes as the original went (encrypted again with ``xbsec encrypt`` when it
  was), signed by ``xbsec sign`` with the project's key file, whose password is named by an
  environment variable, never given (it is in the project's ``xbsec.toml``).

Every value is quoted for a POSIX shell.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, Final

__all__ = ["reproduce_command", "xbsec_request_command"]

_KEPT_HEADERS: Final = ("content-type", "accept", "partner-ref-id", "x-encrypted",
                        "specification-type")
_PASSWORD_ENV: Final = "XBSEC_KEY_PASSWORD"  # noqa: S105 - a variable's name


def reproduce_command(detail: dict[str, Any], folder: Path | None) -> str:
    """The command for one inspection (``xbsec.server.inspection``)."""
    q = shlex.quote
    from xbsec.server.inspection import header_pairs, oauth_params_of, record_url

    method = str(detail.get("method", "GET"))
    url = record_url(detail)
    project = folder.resolve() if folder is not None else Path(".")
    lines: list[str] = []
    document = detail.get("request_document")
    has_body = document is not None and int(document.get("size", 0)) > 0
    if int(detail.get("body_size", 0)) > 0 and not has_body:
        lines.append("# the request's body is not kept: put it in BODY")
        lines.append("BODY=''")
    elif has_body:
        text = str(document["text"]) if document is not None else ""
        if detail.get("encrypted"):
            lines.append(f"BODY=$(printf '%s' {q(text)} | xbsec encrypt "
                         f"--cert {q(str(project / 'client-encryption.pem'))} --envelope json)")
        else:
            lines.append(f"BODY={q(text)}")
    body = bool(lines)
    headers = [f"-H {q(f'{_title(name)}: {value}')}"
               for name, value in header_pairs(detail.get("headers", ""))
               if name in _KEPT_HEADERS]
    auth = detail.get("auth")
    oauth = oauth_params_of(detail)
    if auth == "oauth1" and oauth.get("oauth_consumer_key"):
        lines.insert(0, f"# {_PASSWORD_ENV}: the signing key's password "
                        "(signing_key in xbsec.toml)")
        sign = (f"xbsec sign -X {q(method)} --url {q(url)}"
                + (" --body-file -" if body else "")
                + f" --consumer-key {q(oauth['oauth_consumer_key'])}"
                + f" --key {q(str(project / 'signing.p12'))} --password-env {_PASSWORD_ENV}"
                + (f" --signature-method {q(oauth['oauth_signature_method'])}"
                   if oauth.get("oauth_signature_method") not in (None, "RSA-SHA256") else ""))
        authorization = (f"\"Authorization: $(printf '%s' \"$BODY\" | {sign})\"" if body
                         else f"\"Authorization: $({sign})\"")
    else:
        lines.insert(0, "# TOKEN: a request token (or, on the Balance APIs, an access token)")
        authorization = "\"Authorization: Bearer $TOKEN\""
    curl = [f"curl -sS -X {q(method)} {q(url)}", *headers, f"-H {authorization}"]
    if body:
        curl.append("--data-binary \"$BODY\"")
    lines.append(" \\\n  ".join(curl))
    return "\n".join(lines)


def _title(name: str) -> str:
    if name == "x-encrypted":
        return name
    return "-".join(part.capitalize() for part in name.split("-"))


def xbsec_request_command(detail: dict[str, Any], folder: Path | None) -> str:
    """``xbsec request`` with the project's profile: the same method, path, query,
    document and partner header."""
    from urllib.parse import parse_qsl

    from xbsec.server.inspection import header_pairs

    q = shlex.quote
    project = folder.resolve() if folder is not None else Path(".")
    target = str(detail.get("target", detail.get("path", "/")))
    path, _, query = target.partition("?")
    command = [f"xbsec request {q(str(detail.get('method', 'GET')))} {q(path)}",
               f"--profile-file {q(str(project / 'xbsec.toml'))}"]
    command += [f"--query {q(f'{name}={value}')}"
                for name, value in parse_qsl(query, keep_blank_values=True)]
    command += [f"--header {q(f'{_title(name)}: {value}')}"
                for name, value in header_pairs(detail.get("headers", ""))
                if name == "partner-ref-id"]
    document = detail.get("request_document")
    if document is not None and int(document.get("size", 0)) > 0:
        command.append(f"--data {q(str(document['text']))}")
    return " \\\n  ".join(command)
