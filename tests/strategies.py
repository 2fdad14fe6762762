"""Hypothesis strategies shared by the test suite."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import strategies as st

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10)
_segment = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
                   max_size=10)


@st.composite
def urls(draw: st.DrawFn) -> str:
    """http(s) URLs as xbsec's clients build them: every path segment and query pair pct-encoded."""
    scheme = draw(st.sampled_from(["http", "https"]))
    host = draw(st.sampled_from(["sandbox.api.mastercard.com", "API.Example.com", "127.0.0.1",
                                 "localhost", "[::1]"]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":1"]))
    path = "".join("/" + quote(s, safe="") for s in draw(st.lists(_segment, max_size=4)))
    pairs = draw(st.lists(st.tuples(_segment, _text), max_size=5))
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    return f"{scheme}://{host}{port}{path}" + (f"?{query}" if query else "")


methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "get", "post"])
bodies = st.binary(max_size=512)
