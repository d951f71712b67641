"""Linking a person (L1, L2): OAuth 2.0 authorization code with PKCE and OpenID Connect, the journal as the client.

`begin` makes the authorization request (state, nonce and the PKCE verifier are kept in the person's session by
the view); `finish` exchanges the code at the token endpoint and validates the ID token (signature from the
messenger's JWKS, issuer, audience, expiry, nonce). Endpoints come from the messenger's discovery document.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from parta.common.integration.schemas import ApiError
from parta.journal.messenger_link.client import (
    PERSON_SCOPES,
    AsyncOAuth2Client,
    Config,
    Refused,
    Unavailable,
    check,
    transport_error,
)

_METADATA_SECONDS = 600  # the discovery document and the keys are read again after this long
_cache: dict[str, tuple[float, dict[str, Any]]] = {}


class InvalidResponse(Exception):
    """What came back cannot be trusted (wrong state, a bad ID token): the person starts again."""


@dataclass(frozen=True)
class Flow:
    """One authorization request in progress, kept in the session between the redirect and the callback."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    started_at: float

    def to_session(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
            "redirect_uri": self.redirect_uri,
            "started_at": self.started_at,
        }

    @classmethod
    def from_session(cls, data: Any) -> Flow | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                state=str(data["state"]),
                nonce=str(data["nonce"]),
                code_verifier=str(data["code_verifier"]),
                redirect_uri=str(data["redirect_uri"]),
                started_at=float(data["started_at"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Identity:
    """What the messenger told about the signed-in profile, and the token to act for it."""

    subject: str
    name: str
    access_token: str


async def _json(config: Config, url: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=config.httpx_timeout, trust_env=False) as http:
            response = await http.get(url)
    except httpx.HTTPError as error:
        raise transport_error(error) from error
    body = check(response)
    if not isinstance(body, dict):
        raise Unavailable(f"{url} did not answer with a JSON object")
    return body


async def _cached(config: Config, url: str, *, force: bool = False) -> dict[str, Any]:
    now = time.monotonic()
    kept = _cache.get(url)
    if kept is not None and kept[0] > now and not force:
        return kept[1]
    body = await _json(config, url)
    _cache[url] = (now + _METADATA_SECONDS, body)
    return body


async def metadata(config: Config) -> dict[str, Any]:
    """The messenger's OpenID Connect discovery document (also a check that the messenger is up)."""
    return await _cached(config, config.discovery_url)


async def begin(config: Config, *, redirect_uri: str, prompt: str = "") -> tuple[str, Flow]:
    """The messenger's authorization URL for this person, and the flow to keep in their session."""
    meta = await metadata(config)
    flow = Flow(
        state=generate_token(32),
        nonce=generate_token(32),
        code_verifier=generate_token(64),
        redirect_uri=redirect_uri,
        started_at=time.time(),
    )
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": PERSON_SCOPES,
        "state": flow.state,
        "nonce": flow.nonce,
        "code_challenge": create_s256_code_challenge(flow.code_verifier),
        "code_challenge_method": "S256",
    }
    if prompt:
        params["prompt"] = prompt
    return f"{meta['authorization_endpoint']}?{urlencode(params)}", flow


def check_state(flow: Flow | None, *, state: str, issuer: str, config: Config, max_age: float) -> Flow:
    """The callback belongs to the flow this browser started (and the answer names the messenger, RFC 9207)."""
    if flow is None or not state or not hmac.compare_digest(flow.state, state):
        raise InvalidResponse("state does not match")
    if time.time() - flow.started_at > max_age:
        raise InvalidResponse("the flow is too old")
    if issuer and issuer != config.issuer:
        raise InvalidResponse("the answer comes from another issuer")
    return flow


async def finish(config: Config, *, flow: Flow, code: str) -> Identity:
    """Exchanges the code (with the PKCE verifier) and validates the ID token."""
    meta = await metadata(config)
    try:
        async with AsyncOAuth2Client(
            config.client_id,
            config.client_secret,
            redirect_uri=flow.redirect_uri,
            timeout=config.httpx_timeout,
            trust_env=False,
        ) as oauth:
            token = await oauth.fetch_token(
                meta["token_endpoint"], code=code, code_verifier=flow.code_verifier, grant_type="authorization_code"
            )
    except httpx.HTTPError as error:
        raise transport_error(error) from error
    except Exception as error:  # authlib's OAuthError: e.g. the code expired or was used
        code_name = str(getattr(error, "error", "") or "invalid_grant")
        raise Refused(400, ApiError(code=code_name, message=str(getattr(error, "description", "") or error))) from error
    if "id_token" not in token or "access_token" not in token:
        raise InvalidResponse("the token answer has no ID token")
    claims = await _validated_claims(config, meta, token, nonce=flow.nonce)
    name = str(claims.get("name") or " ".join(str(claims.get(k) or "") for k in ("family_name", "given_name")).strip())
    return Identity(subject=str(claims["sub"]), name=name, access_token=str(token["access_token"]))


async def _validated_claims(
    config: Config, meta: dict[str, Any], token: dict[str, Any], *, nonce: str
) -> dict[str, Any]:
    registry = JWSRegistry(algorithms=list(meta.get("id_token_signing_alg_values_supported") or ["RS256"]))
    keys = KeySet.import_key_set(await _cached(config, meta["jwks_uri"]))  # type: ignore[arg-type]
    try:
        try:
            decoded = jwt.decode(token["id_token"], keys, registry=registry)
        except JoseError:
            # A key the journal has not seen yet: the messenger rotated its keys. Read them once more.
            keys = KeySet.import_key_set(await _cached(config, meta["jwks_uri"], force=True))  # type: ignore[arg-type]
            decoded = jwt.decode(token["id_token"], keys, registry=registry)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "values": [meta.get("issuer") or config.issuer]},
                "aud": {"essential": True, "values": [config.client_id]},
            },
            {"nonce": nonce, "client_id": config.client_id, "access_token": token["access_token"]},
        )
        claims.validate(leeway=60)
    except (JoseError, ValueError) as error:
        raise InvalidResponse(f"the ID token is not valid: {error}") from error
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise InvalidResponse("the ID token's nonce does not match")
    return dict(claims)
