"""docs/troubleshooting.md has a section, with its anchor, for every ReasonCode xbsec emits.

The codes are read from the code that emits them: the gateway's refusals (the error tree's
defaults and ``GatewayRefusal``), the sandbox's business errors, and the client's own
``UNEXPECTED_RESPONSE``. A new code without its cause and fix on the page fails here.
"""

from __future__ import annotations

import re

from tests.docs.markdown_blocks import ROOT

PAGE = ROOT / "docs" / "troubleshooting.md"
SRC = ROOT / "src" / "xbsec"


def emitted_reason_codes() -> set[str]:
    codes = set(re.findall(r'default_reason_code(?::[^=]*)? = "([A-Z_]+)"',
                           (SRC / "errors.py").read_text()))
    codes |= set(re.findall(r'GatewayRefusal\(\s*\d{3},\s*"([A-Z_]+)"',
                            (SRC / "server" / "gateway.py").read_text()))
    codes |= set(re.findall(r'^([A-Z_]+): Final = "\1"$',
                            (SRC / "sandbox" / "business_errors.py").read_text(), re.M))
    codes |= set(re.findall(r'"(UNEXPECTED_RESPONSE)"',
                            (SRC / "client" / "pipeline.py").read_text()))
    return codes


def documented_reason_codes() -> set[str]:
    return set(re.findall(r"^### ([A-Z_]+) \{ #\1 \}$", PAGE.read_text(), re.M))


def test_the_emitted_codes_are_found() -> None:
    codes = emitted_reason_codes()
    # The reading works: the documented gateway codes and the sandbox's are all there.
    assert {"INVALID_AUTH_HEADER", "DECLINED", "AUTHENTICATION_FAILED", "INVALID_CLIENT_CERT",
            "REQUEST_DECRYPT_FAILED", "DECRYPT_PRIVATE_KEY_NOT_FOUND", "DECLINE",
            "TIMEOUT", "UNEXPECTED_RESPONSE"} <= codes


def test_every_emitted_reason_code_has_its_cause_and_fix() -> None:
    missing = emitted_reason_codes() - documented_reason_codes()
    assert not missing, f"ReasonCodes without a section on docs/troubleshooting.md: {missing}"
    text = PAGE.read_text()
    for code in documented_reason_codes():
        section = text.split(f"### {code} ", 1)[1].split("\n### ", 1)[0]
        assert "**Fix**" in section, f"{code}: no fix"
