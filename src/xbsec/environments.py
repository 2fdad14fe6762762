"""Mastercard's XBS environments and edges, and their base URLs (SPEC §7.2)."""

from __future__ import annotations

from typing import Literal, get_args

from xbsec.errors import ConfigurationError
from xbsec.keys.project import ENVIRONMENTS, Environment

__all__ = ["BASE_URLS", "EDGES", "ENVIRONMENTS", "Edge", "Environment", "base_url",
           "default_auth"]

Edge = Literal["global", "eu", "uk"]
"""``global``: OAuth 1.0a hosts; ``eu``/``uk``: the MTS EU / MTS UK (PSD2) hosts."""
EDGES: tuple[Edge, ...] = get_args(Edge)

BASE_URLS: dict[tuple[Environment, Edge], str] = {
    # Sandbox and MTF share one URL and are told apart by the partner id (SPEC §7.2).
    ("sandbox", "global"): "https://sandbox.api.mastercard.com",
    ("mtf", "global"): "https://sandbox.api.mastercard.com",
    ("production", "global"): "https://api.mastercard.com",
    ("sandbox", "eu"): "https://sandbox.api.xbs.mastercard.eu",
    ("sandbox", "uk"): "https://sandbox.api.xbs.mastercard.uk",
    ("mtf", "eu"): "https://mtf.api.xbs.mastercard.eu",
    ("mtf", "uk"): "https://mtf.api.xbs.mastercard.uk",  # by pattern (SPEC §7.2 [INF])
    ("production", "eu"): "https://api.xbs.mastercard.eu",
    ("production", "uk"): "https://api.xbs.mastercard.uk",  # by pattern (SPEC §7.2 [INF])
}


def base_url(environment: str, edge: str = "global") -> str:
    """The base URL of an environment on an edge."""
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(f"unknown environment {environment!r}; expected one of "
                                 f"{', '.join(ENVIRONMENTS)}")
    if edge not in EDGES:
        raise ConfigurationError(f"unknown edge {edge!r}; expected one of {', '.join(EDGES)}")
    return BASE_URLS[(environment, edge)]


def default_auth(edge: str) -> Literal["oauth1", "request-token"]:
    """OAuth 1.0a on the global hosts; request tokens for MTS EU/UK customers (SPEC §1)."""
    return "oauth1" if edge == "global" else "request-token"
