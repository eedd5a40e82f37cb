"""Credentials for Microsoft Graph (azure-identity), and the app permission check.

Modes (--auth): token, environment, certificate, github-oidc, azure-cli, default, and auto:
AUDITOR_ACCESS_TOKEN if set, else GitHub OIDC inside GitHub Actions when AZURE_CLIENT_ID and a
tenant are known, else DefaultAzureCredential. No token or secret is ever written to a log or
an error message.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import logging
import os
import re
import stat
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from azure.core.credentials import AccessToken, TokenCredential

from auditor.common.errors import AuthError

from .arguments import AuthMode as AuthMode  # re-exported: callers name it with the credential
from .clouds import CloudEndpoints

TOKEN_ENV = "AUDITOR_ACCESS_TOKEN"
GITHUB_AUDIENCE = "api://AzureADTokenExchange"

if not os.environ.get("LICENSE_AUDITOR_DEBUG"):
    # azure-identity logs every credential it tries; the one-line error the CLI prints says what
    # matters (set here, where the Graph and mail paths load azure, so other runs skip logging)
    logging.getLogger("azure").setLevel(logging.CRITICAL)


# --- token claims ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenClaims:
    """What the auditor reads of an access token's claims, decoded once (untrusted: each claim is
    taken only in the type the Microsoft identity platform documents, else None): the tenant (`tid`),
    an app-only token's application permissions (`roles`), a delegated token's scopes (`scp`), its
    expiry (`exp`), its audience (`aud`), the app (`appid` in v1 tokens, `azp` in v2) and a delegated
    token's signed-in user (`oid`: the directory audit log names that user as the writer)."""

    tid: str | None = None
    roles: tuple[str, ...] | None = None  # None: the token carries no `roles` list
    scp: str | None = None
    exp: int | None = None
    aud: str | None = None
    app: str | None = None
    delegated: bool = False  # a user's token: scopes and no roles; its permissions are not checked
    oid: str | None = None  # the signed-in user's object id (a delegated token)

    @classmethod
    def of(cls, payload: Mapping[str, object]) -> TokenClaims:
        def text(key: str) -> str | None:
            value = payload.get(key)
            return value if isinstance(value, str) else None

        roles, exp = payload.get("roles"), payload.get("exp")
        return cls(
            tid=text("tid"),
            roles=tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else None,
            scp=text("scp"),
            exp=exp if isinstance(exp, int) and not isinstance(exp, bool) else None,
            aud=text("aud"),
            app=text("appid") or text("azp"),
            delegated="scp" in payload and "roles" not in payload,
            oid=text("oid"),
        )

    @property
    def app_roles(self) -> frozenset[str] | None:
        """An app-only token's roles (empty when it lists none); None for a delegated token."""
        return None if self.delegated else frozenset(self.roles or ())


def token_claims(token: str) -> TokenClaims | None:
    """The claims of an access token's JWT payload (no signature check), or None for an opaque token."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1]
    try:
        doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return TokenClaims.of(doc) if isinstance(doc, dict) and doc else None


def _exp(claims: TokenClaims | None, default: int) -> int:
    return claims.exp if claims is not None and claims.exp is not None else default


class StaticTokenCredential:
    """A bearer token handed to the auditor (AUDITOR_ACCESS_TOKEN); it cannot be refreshed."""

    def __init__(self, token: str) -> None:
        self._token = token.strip()
        # RFC 6750 b64token characters only: anything else would end up echoed in an HTTP error
        if not re.fullmatch(r"[A-Za-z0-9\-._~+/]+=*", self._token):
            raise AuthError(
                f"the access token in {TOKEN_ENV} contains characters a bearer token cannot have "
                "(spaces, line breaks, non-ASCII); check how it was copied"
            )
        self._expires_on = _exp(token_claims(self._token), int(time.time()) + 3600)

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if self._expires_on <= time.time():
            stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self._expires_on))
            raise AuthError(f"the access token in {TOKEN_ENV} expired at {stamp}; get a fresh token and re-run")
        return AccessToken(self._token, self._expires_on)

    def close(self) -> None:
        return None


class _TenantScoped:
    """Asks the wrapped credential for tokens of one tenant (for credentials without a tenant_id)."""

    def __init__(self, inner: Any, tenant_id: str) -> None:
        self._inner = inner
        self._tenant_id = tenant_id

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        kwargs.setdefault("tenant_id", self._tenant_id)
        token: AccessToken = self._inner.get_token(*scopes, **kwargs)
        return token

    def close(self) -> None:
        self._inner.close()


# --- GitHub Actions OIDC -----------------------------------------------------------------------


class GitHubOidcAssertion:
    """Fetches the GitHub Actions OIDC token used as the client assertion for Entra ID.

    The token lives a few minutes; azure-identity calls this whenever it needs a new access
    token, and a fresh OIDC token is fetched once the cached one is within a minute of expiry,
    so runs longer than the OIDC token's life keep working.
    """

    def __init__(self, request_url: str, request_token: str, *, timeout: float = 30.0) -> None:
        self._url = request_url
        self._request_token = request_token
        self._timeout = timeout
        self._cached: str | None = None
        self._expires = 0.0
        self.fetches = 0

    def __call__(self) -> str:
        if self._cached is not None and self._expires - 60 > time.time():
            return self._cached
        sep = "&" if "?" in self._url else "?"
        url = f"{self._url}{sep}audience={urllib.parse.quote(GITHUB_AUDIENCE, safe='')}"
        request = urllib.request.Request(url)
        # Unredirected: even a same-host redirect does not carry the request token on.
        request.add_unredirected_header("Authorization", f"bearer {self._request_token}")
        try:
            with _OIDC_OPENER.open(request, timeout=self._timeout) as response:
                doc = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise AuthError(
                f"GitHub Actions refused the OIDC token request (HTTP {exc.code}); give the job "
                "`permissions: id-token: write`"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AuthError(f"could not fetch the GitHub Actions OIDC token: {reason}") from None
        token = doc.get("value") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError("GitHub Actions answered the OIDC token request without a token")
        self.fetches += 1
        self._cached = token
        self._expires = float(_exp(token_claims(token), int(time.time()) + 300))
        return token


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, host and port: the OIDC token must not be
    fetched from (or handed to) another host."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        old, new = (
            urllib.parse.urlsplit(req.full_url),
            urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl)),
        )
        if (old.scheme, old.hostname, old.port) != (new.scheme, new.hostname, new.port):
            raise AuthError(
                f"the GitHub Actions OIDC token request was redirected to another host "
                f"({new.scheme}://{new.hostname}); refused"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OIDC_OPENER = urllib.request.build_opener(_SameHostRedirects())


class _MaskedInActions:
    """In GitHub Actions, tell the runner to mask each access token the moment it exists
    (`::add-mask::`), so no later log line can show it, whatever prints it.

    The command carries the token itself, and only the runner's log is masked: it goes to stderr
    only while stderr is what the runner reads of a step (a pipe or a socket). Redirected to a
    file (`2> audit.log`, then uploaded as an artifact) or to a terminal, it would leave the token
    readable there, so nothing is written. Never stdout: it may carry a snapshot (collect --output -)."""

    def __init__(self, inner: Any, stream: TextIO | None = None) -> None:
        self._inner = inner
        self._stream = stream
        self._masked: set[str] = set()

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        token: AccessToken = self._inner.get_token(*scopes, **kwargs)
        if token.token not in self._masked:
            self._masked.add(token.token)
            stream = self._stream or sys.stderr
            if _read_by_the_runner(stream):
                stream.write(f"::add-mask::{token.token}\n")
                stream.flush()
        return token

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if callable(close):
            close()


def _read_by_the_runner(stream: TextIO) -> bool:
    """Whether `stream` is a pipe or a socket, as a workflow step's stderr is when the runner reads it."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False  # an in-memory stream, or a closed one: not the runner's log
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


# --- building a credential ---------------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    credential: TokenCredential
    mode: AuthMode  # the mode actually used (auto resolved)
    description: str  # safe to print: never holds a secret


def resolve_mode(mode: AuthMode, env: Mapping[str, str], tenant_id: str | None) -> AuthMode:
    if mode is not AuthMode.AUTO:
        return mode
    if env.get(TOKEN_ENV):
        return AuthMode.TOKEN
    in_actions = env.get("GITHUB_ACTIONS") == "true" and env.get("ACTIONS_ID_TOKEN_REQUEST_URL")
    if in_actions and env.get("AZURE_CLIENT_ID") and (tenant_id or env.get("AZURE_TENANT_ID")):
        return AuthMode.GITHUB_OIDC
    return AuthMode.DEFAULT


def build_credential(
    mode: AuthMode, *, tenant_id: str | None, cloud: CloudEndpoints, env: Mapping[str, str]
) -> Credential:
    """Make the credential for `mode`; AuthError (exit 3) names what is missing. In GitHub
    Actions every access token it hands out is masked in the job log."""
    built = _build_credential(mode, tenant_id=tenant_id, cloud=cloud, env=env)
    if env.get("GITHUB_ACTIONS") == "true":
        return Credential(_MaskedInActions(built.credential), built.mode, built.description)
    return built


def _oidc_settings(env: Mapping[str, str], tenant: str | None) -> tuple[str, str, str, str]:
    """--auth github-oidc: the job's ID-token request URL and token, the app and the tenant."""
    url = env.get("ACTIONS_ID_TOKEN_REQUEST_URL")
    request_token = env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    client_id = env.get("AZURE_CLIENT_ID")
    if not url or not request_token:
        raise AuthError(
            "--auth github-oidc runs only inside GitHub Actions with `permissions: id-token: write` "
            "(ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)"
        )
    if not client_id or not tenant:
        raise AuthError("--auth github-oidc needs AZURE_CLIENT_ID and AZURE_TENANT_ID (or --tenant-id)")
    return url, request_token, client_id, tenant


def _certificate_settings(env: Mapping[str, str], tenant: str | None) -> tuple[str, str, str]:
    """--auth certificate: the app, the certificate's path and the tenant."""
    client_id = env.get("AZURE_CLIENT_ID")
    path = env.get("AZURE_CLIENT_CERTIFICATE_PATH")
    if not client_id or not path or not tenant:
        raise AuthError(
            "--auth certificate needs AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH (PEM or PFX with the "
            "private key) and AZURE_TENANT_ID (or --tenant-id)"
        )
    return client_id, path, tenant


def _build_credential(
    mode: AuthMode, *, tenant_id: str | None, cloud: CloudEndpoints, env: Mapping[str, str]
) -> Credential:
    from azure.identity import (  # azure-identity: loaded when a credential is built, not by `--help`
        AzureCliCredential,
        CertificateCredential,
        ClientAssertionCredential,
        DefaultAzureCredential,
        EnvironmentCredential,
    )

    mode = resolve_mode(mode, env, tenant_id)
    tenant = tenant_id or env.get("AZURE_TENANT_ID")
    authority = cloud.authority
    if mode is AuthMode.TOKEN:
        token = env.get(TOKEN_ENV, "").strip()
        if not token:
            raise AuthError(f"--auth token needs a bearer token for Microsoft Graph in {TOKEN_ENV}")
        return Credential(StaticTokenCredential(token), mode, f"bearer token from {TOKEN_ENV}")
    if mode is AuthMode.GITHUB_OIDC:
        url, request_token, client_id, tenant = _oidc_settings(env, tenant)
        assertion = GitHubOidcAssertion(url, request_token)
        assertion_cred = ClientAssertionCredential(tenant, client_id, assertion, authority=authority)
        return Credential(assertion_cred, mode, f"GitHub Actions OIDC federated credential for app {client_id}")
    if mode is AuthMode.CERTIFICATE:
        client_id, path, tenant = _certificate_settings(env, tenant)
        password = env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None
        try:
            cred = CertificateCredential(tenant, client_id, path, password=password, authority=authority)
        except (OSError, ValueError) as exc:
            raise AuthError(f"cannot load the certificate {path}: {exc}") from None
        return Credential(cred, mode, f"certificate credential for app {client_id}")
    if mode is AuthMode.ENVIRONMENT:
        if not env.get("AZURE_CLIENT_ID") or not tenant:
            raise AuthError(
                "--auth environment needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET "
                "(or AZURE_CLIENT_CERTIFICATE_PATH)"
            )
        return Credential(EnvironmentCredential(authority=authority), mode, "azure-identity EnvironmentCredential")
    if mode is AuthMode.AZURE_CLI:
        return Credential(AzureCliCredential(tenant_id=tenant or ""), mode, "Azure CLI sign-in (az login)")
    default_kwargs: dict[str, Any] = {"authority": authority}
    if tenant:
        default_kwargs["additionally_allowed_tenants"] = [tenant]
    default: Any = DefaultAzureCredential(**default_kwargs)
    if tenant:
        default = _TenantScoped(default, tenant)
    return Credential(default, AuthMode.DEFAULT, "azure-identity DefaultAzureCredential")


# --- permissions -------------------------------------------------------------------------------

_DIRECTORY = ("Directory.Read.All", "Directory.ReadWrite.All")


@dataclass(frozen=True)
class Permission:
    name: str  # the least-privileged application permission to grant
    needed_for: str
    satisfied_by: frozenset[str]


USERS = Permission(
    "User.Read.All", "reading users and their licenses", frozenset(("User.Read.All", "User.ReadWrite.All", *_DIRECTORY))
)
SKUS = Permission(
    "LicenseAssignment.Read.All",
    "reading subscribedSkus (Organization.Read.All also covers it)",
    frozenset(
        (
            "LicenseAssignment.Read.All",
            "LicenseAssignment.ReadWrite.All",
            "Organization.Read.All",
            "Organization.ReadWrite.All",
            *_DIRECTORY,
        )
    ),
)
ORGANIZATION = Permission(
    "Organization.Read.All",
    "reading the organization and directory/subscriptions",
    frozenset(("Organization.Read.All", "Organization.ReadWrite.All", *_DIRECTORY)),
)
GROUPS = Permission(
    "GroupMember.Read.All",
    "reading groups and their transitive members",
    frozenset(
        ("GroupMember.Read.All", "GroupMember.ReadWrite.All", "Group.Read.All", "Group.ReadWrite.All", *_DIRECTORY)
    ),
)
SIGN_IN = Permission(
    "AuditLog.Read.All", "reading signInActivity (inactivity rules)", frozenset(("AuditLog.Read.All",))
)
MAILBOX = Permission(
    "MailboxSettings.Read",
    "reading mailboxSettings/userPurpose (shared, room and equipment mailboxes)",
    frozenset(("MailboxSettings.Read", "MailboxSettings.ReadWrite")),
)
PLACES = Permission(
    "Place.Read.All", "reading the rooms of the places listing (room mailboxes)", frozenset(("Place.Read.All",))
)
MAIL = Permission("Mail.Send", "sending the report by e-mail through Graph", frozenset(("Mail.Send",)))


@dataclass(frozen=True)
class PermissionCheck:
    checked: bool
    missing: tuple[Permission, ...] = ()
    note: str = ""


def check_permissions(
    claims: TokenClaims | None,
    *,
    need_sign_in: bool,
    need_mail: bool = False,
    need_mailbox: bool = False,
    need_places: bool = False,
) -> PermissionCheck:
    """Compare an app-only token's `roles` with the minimal read-only set the run needs."""
    if claims is None:
        return PermissionCheck(False, note="the access token is opaque; its permissions were not checked")
    granted = claims.app_roles
    if granted is None:
        return PermissionCheck(False, note="delegated (user) token; its permissions were not checked")
    wanted = [USERS, SKUS, ORGANIZATION, GROUPS]
    if need_sign_in:
        wanted.append(SIGN_IN)
    if need_mailbox:
        wanted.append(MAILBOX)
    if need_mail:
        wanted.append(MAIL)
    if need_places:
        wanted.append(PLACES)
    missing = tuple(p for p in wanted if not (p.satisfied_by & granted))
    return PermissionCheck(True, missing)


def describe_missing(missing: tuple[Permission, ...]) -> str:
    names = ", ".join(f"{p.name} ({p.needed_for})" for p in missing)
    return (
        f"the app's access token lacks the Microsoft Graph application "
        f"{'permission' if len(missing) == 1 else 'permissions'}: {names}; "
        "add them under API permissions in the app registration and grant admin consent"
    )


# azure-identity's chained credentials list each credential they tried on a line of its own
# ("Attempted credentials:", then "\tEnvironmentCredential: <why>")
_TRIED = re.compile(r"^\t(\w+Credential)\b", re.MULTILINE)


def get_access_token(credential: TokenCredential, scope: str, description: str) -> str:
    """Get a token now, turning azure-identity failures into AuthError (exit 3)."""
    from azure.core.exceptions import ClientAuthenticationError  # azure-core: with the credential, not at start-up

    try:
        return credential.get_token(scope).token
    except AuthError:
        raise
    except ClientAuthenticationError as exc:
        text = str(exc.message if hasattr(exc, "message") else exc)
        tried = _TRIED.findall(text)
        if tried:  # a chain (DefaultAzureCredential) in which no credential could sign in
            raise AuthError(
                f"no credential could sign in to Microsoft Graph ({description}); tried, in order: "
                f"{', '.join(dict.fromkeys(tried))}. The quickest fix on a workstation: `az login --tenant "
                "<your tenant>`, then run again; in GitHub Actions: --auth github-oidc with AZURE_CLIENT_ID and "
                "AZURE_TENANT_ID; anywhere: a token in AUDITOR_ACCESS_TOKEN with --auth token (docs/graph.md, "
                "'--auth')"
            ) from None
        first = text.strip().splitlines()
        reason = first[0][:300] if first else type(exc).__name__
        raise AuthError(f"could not get an access token for Microsoft Graph ({description}): {reason}") from None
