"""Profiles: one name in a TOML file picks environment, edge, keys, auth and encryption.

Where the file is: the path given (``path=``, or ``--profile-file`` on the command line),
else ``$XBSEC_PROFILE``, else ``xbsec.toml`` in the working directory. Which profile: the
name given (``name=``, or ``--profile``), else ``$XBSEC_PROFILE_NAME``, else the file's
``default``, else its only profile. Relative paths are read from the file's folder.
Secrets stay out of the file: ``password_env`` names an environment variable (a literal
``password`` is accepted for sandbox keys whose password is public anyway)::

    default = "sandbox"

    [profiles.sandbox]
    environment = "sandbox"            # sandbox | mtf | production
    edge = "global"                    # global | eu | uk
    # base_url = "http://127.0.0.1:8080"   (overrides the environment's URL)
    partner_id = "SANDBOX_1234567"
    consumer_key = "..."
    auth = "oauth1"                    # oauth1 | request-token (eu/uk default)
    format = "json"                    # json | xml
    timeout = 30
    # proxy = "http://proxy.example:3128"  (else $HTTPS_PROXY; never with a password here)
    signing_key = { path = "signing.p12", alias = "keyalias", password_env = "XBS_KEY_PW" }

    [profiles.sandbox.encryption]
    enabled = true
    client_encryption_certificate = "client-encryption.pem"
    # kid = "..."                      (the kid Mastercard gave, if any)
    mastercard_encryption_keys = [
        { path = "mastercard-encryption.p12", alias = "keyalias", password_env = "XBS_MC_PW" },
    ]

    [profiles.sandbox.mtls]            # PSD2 edges: client certificate for mutual TLS
    p12 = "tls-client.p12"
    password_env = "XBS_TLS_PW"

    [profiles.eu.oauth2]               # PSD2 edges: access tokens for the Balance APIs
    # redirect_uri = "http://127.0.0.1:8765/callback"   (the default; what is registered)
    # authorize_url = "{base_url}/oauth2/authorize"     (the default)
    # token_url = "{base_url}/oauth2/token"             (the default)
    # scope = "balances"               (the default; "" sends none)
    # token_store = "file"             file (default) | memory | redis://host:6379/0
    # token_store_path = "~/.xbsec/tokens/eu.json"     (the default: the profile's name)
    # refresh_margin = 60              seconds before expiry to refresh (default 60)

``[oauth2]`` is for MTS EU/UK customers (edge ``eu`` or ``uk``, auth ``request-token``):
their Balance calls carry an OAuth 2.0 access token (SPEC §1, §6) that ``xbsec oauth2
login`` obtains in a browser; every other call keeps the request token. An empty table
takes every default.

Every missing or wrong entry is a ``ConfigurationError`` that names the file, the profile,
the entry, and what to do.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from xbsec.environments import EDGES, ENVIRONMENTS, Edge, Environment, base_url, default_auth
from xbsec.errors import ConfigurationError, KeyMaterialError
from xbsec.keys.project import KeyFile, ProjectKeys

__all__ = ["AuthMode", "MtlsConfig", "OAuth2Settings", "Profile", "find_profile_file",
           "load_profile"]

AuthMode = Literal["oauth1", "request-token"]
_AUTH_MODES: tuple[AuthMode, ...] = ("oauth1", "request-token")
DEFAULT_FILE = "xbsec.toml"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"
_OAUTH2_ENTRIES = ("authorize_url", "redirect_uri", "refresh_margin", "scope", "token_store",
                   "token_store_path", "token_url")


@dataclass(frozen=True, slots=True)
class MtlsConfig:
    """A PKCS#12 client certificate for mutual TLS."""

    p12: Path
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuth2Settings:
    """The ``[oauth2]`` table: the authorization code flow of the Balance APIs (SPEC §6)."""

    authorize_url: str
    token_url: str
    redirect_uri: str = DEFAULT_REDIRECT_URI
    scope: str = "balances"
    token_store: str = "file"  # noqa: S105 - the kind of store, not a secret
    """``memory``, ``file`` or a ``redis://``/``rediss://``/``unix://`` URL."""
    token_store_path: Path
    """Where a ``file`` store keeps the tokens."""
    refresh_margin: float = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """Everything a client needs to call one XBS environment as one partner."""

    name: str
    environment: Environment
    edge: Edge
    base_url: str
    partner_id: str
    auth: AuthMode
    encryption: bool
    format: Literal["json", "xml"]
    timeout: float
    keys: ProjectKeys
    mtls: MtlsConfig | None = None
    source: Path | None = None
    oauth2: OAuth2Settings | None = None
    proxy: str | None = None
    """An HTTP(S) proxy URL for the client; without one, ``$HTTPS_PROXY`` and the other
    usual variables apply."""


class _Reader:
    """Reads one profile table, naming the file, the profile and the entry in every error."""

    def __init__(self, path: Path, name: str, table: Mapping[str, Any],
                 environ: Mapping[str, str]) -> None:
        self.path, self.name, self.table, self.environ = path, name, table, environ

    def fail(self, entry: str, problem: str, fix: str = "") -> ConfigurationError:
        return ConfigurationError(f"{self.path}: profile {self.name!r}: {entry}: {problem}",
                                  fix=fix)

    def get(self, entry: str, kind: type | tuple[type, ...], default: Any = ...,
            table: Mapping[str, Any] | None = None, prefix: str = "") -> Any:
        source = self.table if table is None else table
        if entry not in source:
            if default is ...:
                raise self.fail(prefix + entry, "missing", f"add `{entry} = ...` to the profile")
            return default
        value = source[entry]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(
                k.__name__ for k in kind)
            raise self.fail(prefix + entry, f"expected {names}, found {type(value).__name__}")
        return value

    def choice(self, entry: str, choices: tuple[str, ...], default: Any = ...) -> Any:
        value = self.get(entry, str, default)
        if value not in choices:
            raise self.fail(entry, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def file(self, value: str, entry: str) -> Path:
        path = Path(os.path.expanduser(value))
        if not path.is_absolute():
            path = self.path.parent / path
        if not path.is_file():
            raise self.fail(entry, f"no such file {path}",
                            "paths are read relative to the profile file")
        return path

    def secret(self, table: Mapping[str, Any], prefix: str) -> str | None:
        if "password_env" in table and "password" in table:
            raise self.fail(prefix + "password", "give password or password_env, not both")
        variable = self.get("password_env", str, None, table, prefix)
        if variable is not None:
            value = self.environ.get(variable)
            if value is None:
                raise self.fail(prefix + "password_env",
                                f"environment variable {variable} is not set",
                                f"export {variable}=... before running")
            return value
        return cast("str | None", self.get("password", str, None, table, prefix))

    def key_file(self, value: Any, entry: str) -> KeyFile:
        if isinstance(value, str):
            return KeyFile(self.file(value, entry))
        if not isinstance(value, Mapping):
            raise self.fail(entry, "expected a path or a table {path = ..., alias = ..., "
                            "password_env = ...}")
        prefix = entry + "."
        path = self.file(self.get("path", str, ..., value, prefix), prefix + "path")
        return KeyFile(path, self.secret(value, prefix), self.get("alias", str, None, value,
                                                                  prefix))


def _key_fix(exc: KeyMaterialError) -> str:
    """What to do about a key file that cannot be used, by what went wrong."""
    from xbsec.errors import KeyAliasError, KeyFileError, KeyMismatchError, KeyPasswordError

    if isinstance(exc, KeyPasswordError):
        return ("give the keystore's password: password_env names the environment variable "
                "that holds it (a literal password only for sandbox keys)")
    if isinstance(exc, KeyAliasError):
        return "set alias to one of the keystore's aliases, or leave it out if there is one"
    if isinstance(exc, KeyMismatchError):
        return "give the certificate issued for this key (or the key of this certificate)"
    if isinstance(exc, KeyFileError):
        return ("check the path (a relative one is read from the profile's folder) and that "
                "the file is the key or certificate it should be")
    return ""


def _warn_if_expired(r: _Reader, keys: ProjectKeys) -> None:
    """A ``CertificateExpiryWarning`` for each certificate that is not valid now: the
    profile still loads (to renew, inspect or decrypt old answers), but not in silence."""
    import warnings
    from datetime import UTC, datetime

    from xbsec.errors import CertificateExpiryWarning

    now = datetime.now(UTC)
    named = [("signing_certificate", keys.signing_certificate,
              "every request signed with it is refused (DECLINED): renew the signing key "
              "(xbsec keys csr, the portal's Renew) and sign with the new one"),
             ("encryption.client_encryption_certificate", keys.client_encryption_certificate,
              "download the client-encryption certificate in force from the portal")]
    named += [(f"encryption.mastercard_encryption_keys[{index}]", certificate,
               "renew the Mastercard-encryption key in the portal")
              for index, certificate in enumerate(keys.mastercard_encryption_certificates)]
    for entry, certificate, fix in named:
        if certificate is None:
            continue
        if certificate.not_valid_after_utc < now:
            problem = f"expired on {certificate.not_valid_after_utc.date().isoformat()}"
        elif certificate.not_valid_before_utc > now:
            problem = f"not valid before {certificate.not_valid_before_utc.isoformat()}"
        else:
            continue
        warnings.warn(f"{r.path}: profile {r.name!r}: {entry}: the certificate {problem}; "
                      f"{fix}", CertificateExpiryWarning, stacklevel=4)


def _check_not_swapped(r: _Reader, keys: ProjectKeys) -> None:
    """Refuse the two encryption pairs swapped before any request is sent: the answer to a
    request would be encrypted to a key this profile cannot decrypt with, after XBS had
    already acted on it (a payment made, its answer unreadable)."""
    from xbsec.keys import spki_sha256_hex

    client = keys.client_encryption_certificate
    if client is None:
        return
    own = {spki_sha256_hex(key) for key in keys.mastercard_encryption_keys}
    if spki_sha256_hex(client) in own:
        raise r.fail("encryption", "client_encryption_certificate is the public half of one "
                     "of mastercard_encryption_keys: the two pairs are swapped",
                     "client_encryption_certificate is Mastercard's certificate (you encrypt "
                     "requests to it); mastercard_encryption_keys are your private keys (you "
                     "decrypt answers with them)")


def find_profile_file(explicit: str | os.PathLike[str] | None = None, *,
                      environ: Mapping[str, str] | None = None,
                      cwd: Path | None = None) -> Path:
    """The profile file: ``explicit``, else ``$XBSEC_PROFILE``, else ``./xbsec.toml``."""
    environ = os.environ if environ is None else environ
    chosen = explicit or environ.get("XBSEC_PROFILE")
    path = Path(chosen) if chosen else (cwd or Path.cwd()) / DEFAULT_FILE
    if not path.is_file():
        how = ("given" if explicit else "named by $XBSEC_PROFILE" if chosen
               else "looked for in the working directory")
        raise ConfigurationError(
            f"no profile file at {path} ({how}); give its path (--profile-file PATH on the "
            "command line, path= in Python) or set $XBSEC_PROFILE, or create one with "
            "`xbsec sandbox init --dir DIR`")
    return path


def load_profile(name: str | None = None, path: str | os.PathLike[str] | None = None, *,
                 environ: Mapping[str, str] | None = None) -> Profile:
    """Read a profile and load its keys; every problem is a ``ConfigurationError``."""
    environ = os.environ if environ is None else environ
    file = find_profile_file(path, environ=environ)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{file}: cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{file}: not valid TOML: {exc}") from None
    except ValueError as exc:  # an integer tomllib's int() refuses (over 4,300 digits)
        raise ConfigurationError(f"{file}: not valid TOML: {exc}") from None
    profiles = data.get("profiles")
    if not isinstance(profiles, Mapping) or not profiles:
        raise ConfigurationError(f"{file}: no [profiles.NAME] table")
    default = data.get("default")
    chosen = name or environ.get("XBSEC_PROFILE_NAME") or (
        default if isinstance(default, str) else None)
    if chosen is None:
        if len(profiles) != 1:
            raise ConfigurationError(f"{file}: several profiles ({', '.join(profiles)}) and "
                                     "no default; name one, or add default = \"NAME\"")
        chosen = next(iter(profiles))
    table = profiles.get(chosen)
    if not isinstance(table, Mapping):
        raise ConfigurationError(f"{file}: no profile {chosen!r}; the file has "
                                 f"{', '.join(sorted(profiles))}")
    return _read(_Reader(file, chosen, table, environ))


def _read(r: _Reader) -> Profile:
    known = {"environment", "edge", "base_url", "partner_id", "consumer_key", "auth",
             "format", "timeout", "proxy", "signing_key", "signing_certificate", "encryption",
             "mtls", "oauth2"}
    unknown = sorted(set(r.table) - known)
    if unknown:
        raise r.fail(unknown[0], "unknown entry", f"known entries: {', '.join(sorted(known))}")
    environment = r.choice("environment", ENVIRONMENTS)
    edge = r.choice("edge", EDGES, "global")
    url = r.get("base_url", str, None) or base_url(environment, edge)
    if not url.startswith(("http://", "https://")):
        raise r.fail("base_url", f"{url!r} is not an http(s) URL")
    partner_id = r.get("partner_id", str)
    if not partner_id or any(c in partner_id for c in "/?#% "):
        raise r.fail("partner_id", f"{partner_id!r} cannot go in a URL path")
    auth = r.choice("auth", _AUTH_MODES, default_auth(edge))
    timeout = r.get("timeout", (int, float), 30)
    if timeout <= 0:
        raise r.fail("timeout", "must be a positive number of seconds")
    proxy = r.get("proxy", str, None)
    if proxy is not None:
        parts = urlsplit(proxy)
        if parts.scheme not in ("http", "https", "socks5") or not parts.hostname:
            raise r.fail("proxy", f"{proxy!r} is not a proxy URL",
                         "give http://host:port (or https://, socks5://)")
        if parts.username or parts.password:
            raise r.fail("proxy", "holds credentials, which a profile file must not",
                         "put a proxy that needs a password in $HTTPS_PROXY instead")

    encryption = r.get("encryption", Mapping, {})
    enabled = r.get("enabled", bool, bool(encryption), encryption, "encryption.")
    client_cert = r.get("client_encryption_certificate", str, None, encryption, "encryption.")
    mc_keys = r.get("mastercard_encryption_keys", list, [], encryption, "encryption.")
    if enabled and (client_cert is None or not mc_keys):
        raise r.fail("encryption", "encryption is on but client_encryption_certificate or "
                     "mastercard_encryption_keys is missing",
                     "both are needed: one encrypts requests, the other decrypts responses")
    signing = r.key_file(r.get("signing_key", (str, Mapping)), "signing_key")
    signing_cert = r.get("signing_certificate", str, None)
    try:
        keys = ProjectKeys.load(
            environment=environment, consumer_key=r.get("consumer_key", str),
            signing_key=signing,
            signing_certificate=None if signing_cert is None
            else r.file(signing_cert, "signing_certificate"),
            client_encryption_certificate=None if client_cert is None
            else r.file(client_cert, "encryption.client_encryption_certificate"),
            client_encryption_kid=r.get("kid", str, None, encryption, "encryption."),
            mastercard_encryption_keys=[
                r.key_file(item, f"encryption.mastercard_encryption_keys[{i}]")
                for i, item in enumerate(mc_keys)],
        )
    except KeyMaterialError as exc:
        raise r.fail("keys", exc.problem, exc.fix or _key_fix(exc)) from None
    except ConfigurationError as exc:
        if str(exc).startswith(str(r.path)):
            raise
        raise r.fail("keys", exc.problem, exc.fix) from None
    _check_not_swapped(r, keys)
    _warn_if_expired(r, keys)
    if auth == "request-token" and keys.signing_certificate is None:
        raise r.fail("signing_certificate", "request tokens carry the signing certificate "
                     "(x5c)", "use a PKCS#12 signing key or add signing_certificate")

    mtls_table = r.get("mtls", Mapping, None)
    mtls = None
    if mtls_table is not None:
        p12 = r.file(r.get("p12", str, ..., mtls_table, "mtls."), "mtls.p12")
        mtls = MtlsConfig(p12, r.secret(mtls_table, "mtls."))
    oauth2_table = r.get("oauth2", Mapping, None)
    oauth2 = None
    if oauth2_table is not None:
        if edge == "global" or auth != "request-token":
            raise r.fail("oauth2", "access tokens are for the Balance APIs of MTS EU/UK "
                         "customers (SPEC §1)", 'use edge = "eu" or "uk" with auth = '
                         '"request-token", or remove the [oauth2] table')
        oauth2 = _oauth2(r, oauth2_table, url.rstrip("/"))
    return Profile(name=r.name, environment=environment, edge=edge, base_url=url.rstrip("/"),
                   partner_id=partner_id, auth=auth, encryption=enabled,
                   format=r.choice("format", ("json", "xml"), "json"), timeout=float(timeout),
                   keys=keys, mtls=mtls, source=r.path, oauth2=oauth2, proxy=proxy)


def _oauth2(r: _Reader, table: Mapping[str, Any], base: str) -> OAuth2Settings:
    unknown = sorted(set(table) - set(_OAUTH2_ENTRIES))
    if unknown:
        raise r.fail("oauth2." + unknown[0], "unknown entry",
                     f"known entries: {', '.join(_OAUTH2_ENTRIES)}")

    def url(entry: str, default: str) -> str:
        value: str = r.get(entry, str, default, table, "oauth2.")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or "#" in value:
            raise r.fail("oauth2." + entry, f"{value!r} is not an http(s) URL without a "
                         "fragment")
        return value

    store = r.get("token_store", str, "file", table, "oauth2.")
    if store not in ("memory", "file") and not store.startswith(
            ("redis://", "rediss://", "unix://", "redis+cluster://", "rediss+cluster://",
             "redis+sentinel://", "rediss+sentinel://")):
        raise r.fail("oauth2.token_store", "must be memory, file, or a redis:// URL")
    path_setting = r.get("token_store_path", str, None, table, "oauth2.")
    if path_setting is None:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", r.name) or r.name.startswith("."):
            raise r.fail("oauth2.token_store_path", "the profile's name cannot be a file "
                         "name", "set token_store_path")
        path = Path.home() / ".xbsec" / "tokens" / f"{r.name}.json"
    else:
        path = Path(os.path.expanduser(path_setting))
        if not path.is_absolute():
            path = r.path.parent / path
    margin = r.get("refresh_margin", (int, float), 60, table, "oauth2.")
    if not 0 <= margin < 900:
        raise r.fail("oauth2.refresh_margin", "must be 0 to 899 seconds (an access token "
                     "lives 900)")
    return OAuth2Settings(authorize_url=url("authorize_url", base + "/oauth2/authorize"),
                          token_url=url("token_url", base + "/oauth2/token"),
                          redirect_uri=url("redirect_uri", DEFAULT_REDIRECT_URI),
                          scope=r.get("scope", str, "balances", table, "oauth2."),
                          token_store=store, token_store_path=path,
                          refresh_margin=float(margin))
