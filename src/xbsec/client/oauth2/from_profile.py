"""The pieces of the authorization code flow that a profile's ``[oauth2]`` table describes.

The client id is the consumer key, and the client assertion is signed with the signing key
(SPEC §6.4); the token store is the table's ``token_store``. Redis keys are named after the
profile, as token files are.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING

from xbsec.errors import ConfigurationError
from xbsec.oauth2.client_assertion import ClientAssertionMinter
from xbsec.oauth2.token_endpoint import TokenEndpoint
from xbsec.stores.tokens import REDIS_KEY_PREFIX, TokenStore, token_store_from_setting

if TYPE_CHECKING:
    from xbsec.profile import OAuth2Settings, Profile

__all__ = ["login_command", "oauth2_parts", "oauth2_settings", "tls_verify",
           "token_store_for"]


def oauth2_settings(profile: Profile) -> OAuth2Settings:
    """The profile's ``[oauth2]`` table, or a ``ConfigurationError`` saying how to add one."""
    if profile.oauth2 is None:
        raise ConfigurationError(
            f"profile {profile.name!r} has no [profiles.{profile.name}.oauth2] table: add one "
            "(an empty table takes the defaults) to use access tokens for the Balance APIs")
    return profile.oauth2


def login_command(profile: Profile) -> str:
    """The command that logs this profile in again, as a person would type it."""
    command = f"xbsec oauth2 login --profile {profile.name}"
    if profile.source is not None and profile.source.resolve() != (
            Path.cwd() / "xbsec.toml").resolve():
        command += f" --profile-file {profile.source}"
    return command


def tls_verify(profile: Profile) -> ssl.SSLContext | bool:
    """What a token client made for ``profile`` verifies with, and presents.

    The token endpoint sits on the same edge as the API, so the profile's mutual TLS client
    certificate goes there too (SPEC §1).
    """
    if profile.mtls is None:
        return True
    from xbsec.client.tls import client_ssl_context

    return client_ssl_context(profile.mtls)


def token_store_for(profile: Profile) -> TokenStore:
    settings = oauth2_settings(profile)
    return token_store_from_setting(settings.token_store, path=settings.token_store_path,
                                    redis_key=REDIS_KEY_PREFIX + profile.name)


def oauth2_parts(profile: Profile) -> tuple[TokenEndpoint, TokenStore, float]:
    """The token endpoint (with its client assertion), the token store, the refresh margin."""
    settings = oauth2_settings(profile)
    endpoint = TokenEndpoint(settings.token_url,
                             ClientAssertionMinter.from_project_keys(profile.keys),
                             login_command=login_command(profile))
    return endpoint, token_store_for(profile), settings.refresh_margin
