"""Bearer token checks as Apple makes them (FACTS §4), when a public key is configured.

ES256 only, a `kid`, `aud` "appstoreconnect-v1", `iss` (team key) or `sub` "user" (individual
key), not expired, and expiring at most 20 minutes from now. `iat` is optional: the lifetime is
judged by `exp` against the sandbox clock. Every failure is the same 401 body.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["MAX_LIFETIME_SECONDS", "TokenChecker"]

MAX_LIFETIME_SECONDS = 20 * 60
AUDIENCE = "appstoreconnect-v1"


class TokenChecker:
    """Raises ValueError at construction when the PEM is not an EC P-256 public key."""

    def __init__(self, public_key_pem: bytes, clock: Callable[[], datetime]) -> None:
        key = serialization.load_pem_public_key(public_key_pem)
        if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
            raise ValueError("the sandbox public key must be an EC P-256 key (ES256)")
        self._key = key
        self._clock = clock

    def accepts(self, authorization: str | None) -> bool:
        if not authorization or not authorization.startswith("Bearer "):
            return False
        token = authorization[len("Bearer ") :].strip()
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "ES256" or not header.get("kid"):
                return False
            # exp and iat are judged below against the injected clock, not the wall clock.
            claims = jwt.decode(
                token,
                self._key,
                algorithms=["ES256"],
                audience=AUDIENCE,
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            return False
        return _claims_ok(claims, self._clock().timestamp())


def _claims_ok(claims: dict[str, Any], now: float) -> bool:
    if not (isinstance(claims.get("iss"), str) and claims["iss"]) and claims.get("sub") != "user":
        return False
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        return False
    return now < exp <= now + MAX_LIFETIME_SECONDS
