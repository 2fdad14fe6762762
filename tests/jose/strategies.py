"""Hypothesis strategies for the JWE tests."""

from __future__ import annotations

from hypothesis import strategies as st

from xbsec.jose import CONTENT_ENCRYPTIONS

plaintexts = st.binary(max_size=2048)
encryptions = st.sampled_from(sorted(CONTENT_ENCRYPTIONS))
gcm_encryptions = st.sampled_from(["A128GCM", "A192GCM", "A256GCM"])
iv_lengths = st.sampled_from([12, 16])
kids = st.none() | st.text(max_size=80)
content_types = (
    st.none() | st.sampled_from(["application/json", "application/xml"]) | st.text(max_size=40)
)
