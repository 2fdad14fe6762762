"""Countries: every ISO 3166-1 country, by its alpha-3 code (``pycountry``'s table).

XBS names countries by alpha-3 code (``USA``, ``MAR``); the IBAN and the BIC use alpha-2
(``US``, ``MA``). ``alpha2`` converts; an unknown code is ``None``.
"""

from __future__ import annotations

from typing import Final

import pycountry

__all__ = ["ALPHA3", "alpha2", "is_country"]

ALPHA3: Final = {country.alpha_3: country.alpha_2 for country in pycountry.countries}
"""Alpha-3 code to alpha-2 code, for every ISO 3166-1 country."""


def is_country(code: str) -> bool:
    return code in ALPHA3


def alpha2(code: str) -> str | None:
    return ALPHA3.get(code)
