"""Hypothesis strategies for the payload tests."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

JWE_ALPHABET = string.ascii_letters + string.digits + "-_."

jwe_texts = st.text(st.sampled_from(JWE_ALPHABET), min_size=1, max_size=400)
"""Non-empty strings of the compact-JWE alphabet."""

_names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters=".[]"),
    min_size=1,
    max_size=8,
)
"""Member names a field path can name (no ``.``, ``[``, ``]``)."""

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)

json_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_names, children, max_size=4),
    max_leaves=12,
)
"""Any JSON value (strings may hold lone surrogates: JSON can carry them escaped)."""

json_objects: st.SearchStrategy[dict[str, Any]] = st.dictionaries(_names, json_values, max_size=5)
member_names = _names
