"""Verify a Cognito user pool token against exactly one user pool (ID-4).

The platform keeps freelancers and clients in two user pools. A service that
receives a token trusts it only when the pool it expects accepts it:

* the signature is valid for a key of *that* pool's JWKS
  (``<issuer>/.well-known/jwks.json``), with RS256 only;
* ``iss`` is that pool's issuer, ``https://cognito-idp.<region>.amazonaws.com/<pool id>``;
* the audience is that pool's app client: ``aud`` in an ID token, ``client_id``
  in an access token;
* ``token_use`` is the kind of token the caller expects (``id`` or ``access``);
* ``exp`` is in the future and ``iat`` not in the future (with a small leeway).

The user's role is the user type of the pool that accepted the token. An ID
token must also carry ``custom:user_type`` equal to it: the attribute is
immutable, so it is the type the user was created with, and a user who wrote
another type into it at sign-up is refused instead of being promoted.

Usage::

    freelancers = TokenVerifier(PoolTrust("freelancer", issuer, client_id))
    identity = freelancers.verify(id_token)              # or use="access" for an access token
    identity = identify(id_token, [freelancers, clients])  # exactly one pool must accept it

Needs ``joserfc`` (RFC 7515/7517/7519). The JWKS is fetched once and again only
when a token names a key id it does not hold (key rotation).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ALGORITHM = "RS256"
USER_TYPE_CLAIM = "custom:user_type"
TOKEN_USES = ("id", "access")


class TokenRejected(Exception):
    """The token is not accepted; the message says why (safe to log, it holds no token)."""


@dataclass(frozen=True)
class PoolTrust:
    """What one user pool vouches for: its user type, issuer and app client (the audience)."""

    user_type: str
    issuer: str
    client_id: str
    # Where the pool's keys are read; empty means the AWS location, <issuer>/.well-known/jwks.json.
    jwks_url: str = ""

    @property
    def keys_url(self) -> str:
        return self.jwks_url or f"{self.issuer}/.well-known/jwks.json"


@dataclass(frozen=True)
class Identity:
    """Who a verified token belongs to."""

    user_id: str
    user_type: str
    token_use: str
    claims: dict[str, Any] = field(repr=False)


def fetch_jwks(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """The JSON Web Key Set at ``url`` (HTTPS, or HTTP for a local emulator)."""
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise ValueError(f"JWKS URL must be http(s), got {url!r}")
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - scheme checked above
        return json.load(response)


def _header(token: str) -> dict[str, Any]:
    try:
        segment = token.split(".")[0]
        return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error, AttributeError) as error:
        raise TokenRejected("malformed token: its header is not base64url JSON") from error


class TokenVerifier:
    """Verifies tokens for one user pool (see the module docstring for the checks)."""

    def __init__(
        self,
        trust: PoolTrust,
        fetch: Callable[[str], dict[str, Any]] = fetch_jwks,
        leeway: int = 30,
        clock: Callable[[], float] = time.time,
    ):
        self.trust = trust
        self._fetch = fetch
        self._leeway = leeway
        self._clock = clock
        self._keys: KeySet | None = None
        self._kids: set[str] = set()

    def _load_keys(self) -> None:
        document = self._fetch(self.trust.keys_url)
        keys = [k for k in document.get("keys", []) if k.get("kty") == "RSA"]
        self._keys = KeySet.import_key_set({"keys": keys})
        self._kids = {k.get("kid") for k in keys}

    def _keys_for(self, kid: str) -> KeySet:
        if self._keys is None or kid not in self._kids:
            self._load_keys()
        if kid not in self._kids:
            raise TokenRejected(f"signing key {kid!r} is not one of the keys of {self.trust.issuer}")
        return self._keys

    def verify(self, token: str, use: str = "id") -> Identity:
        """The identity in ``token``, or :class:`TokenRejected`."""
        if use not in TOKEN_USES:
            raise ValueError(f"use must be one of {TOKEN_USES}, got {use!r}")
        header = _header(token)
        if header.get("alg") != ALGORITHM:
            raise TokenRejected(f"algorithm {header.get('alg')!r} is not {ALGORITHM}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejected("the token names no signing key (kid)")
        try:
            claims = jwt.decode(token, self._keys_for(kid), algorithms=[ALGORITHM]).claims
        except JoseError as error:
            raise TokenRejected(f"signature not valid for {self.trust.issuer}: {error.error}") from error

        if claims.get("iss") != self.trust.issuer:
            raise TokenRejected(f"issuer {claims.get('iss')!r} is not {self.trust.issuer}")
        if claims.get("token_use") != use:
            raise TokenRejected(f"token_use {claims.get('token_use')!r} where {use!r} is expected")
        audience = claims.get("aud") if use == "id" else claims.get("client_id")
        if isinstance(audience, list):
            audience = audience[0] if len(audience) == 1 else None
        if audience != self.trust.client_id:
            name = "aud" if use == "id" else "client_id"
            raise TokenRejected(f"{name} {audience!r} is not the app client {self.trust.client_id}")
        now = self._clock()
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] < now - self._leeway:
            raise TokenRejected("the token has expired")
        if isinstance(claims.get("iat"), (int, float)) and claims["iat"] > now + self._leeway:
            raise TokenRejected("the token was issued in the future")
        if not claims.get("sub"):
            raise TokenRejected("the token has no subject (sub)")
        if use == "id" and claims.get(USER_TYPE_CLAIM) != self.trust.user_type:
            raise TokenRejected(
                f"{USER_TYPE_CLAIM} {claims.get(USER_TYPE_CLAIM)!r} does not match the pool's user type {self.trust.user_type!r}"
            )
        return Identity(user_id=claims["sub"], user_type=self.trust.user_type, token_use=use, claims=dict(claims))


def identify(token: str, verifiers: Iterable[TokenVerifier], use: str = "id") -> Identity:
    """The identity of a token that exactly one of the pools accepts; :class:`TokenRejected` otherwise."""
    accepted: list[Identity] = []
    reasons: list[str] = []
    for verifier in verifiers:
        try:
            accepted.append(verifier.verify(token, use))
        except TokenRejected as error:
            reasons.append(f"{verifier.trust.user_type} pool: {error}")
    if len(accepted) == 1:
        return accepted[0]
    if not accepted:
        raise TokenRejected("no user pool accepts the token (" + "; ".join(reasons) + ")")
    raise TokenRejected(f"{len(accepted)} user pools accept the token; pools must not share issuer and audience")
