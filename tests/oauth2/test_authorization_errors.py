"""The client branch of the error tree for the authorization code flow."""

from __future__ import annotations

import xbsec.errors
from xbsec.errors import (
    AuthorizationError,
    ConfigurationError,
    LoginRequiredError,
    TokenEndpointError,
    XBSecError,
)


def test_the_branch_hangs_from_the_root_not_from_configuration() -> None:
    assert issubclass(AuthorizationError, XBSecError)
    assert not issubclass(AuthorizationError, ConfigurationError)
    assert issubclass(LoginRequiredError, AuthorizationError)
    assert issubclass(TokenEndpointError, AuthorizationError)
    assert not issubclass(LoginRequiredError, TokenEndpointError)


def test_the_names_are_exported_and_drawn_in_the_tree() -> None:
    for name in ("AuthorizationError", "LoginRequiredError", "TokenEndpointError"):
        assert name in xbsec.errors.__all__
        assert name in (xbsec.errors.__doc__ or "")
    assert xbsec.errors.__all__ == sorted(xbsec.errors.__all__)


def test_the_fields_are_kept() -> None:
    refused = TokenEndpointError("no", status=400, error="invalid_scope",
                                 error_description="why")
    assert (refused.status, refused.error, refused.error_description) == (
        400, "invalid_scope", "why")
    assert str(refused) == "no"
    assert TokenEndpointError("gone").status is None
    assert AuthorizationError("x").error is None
