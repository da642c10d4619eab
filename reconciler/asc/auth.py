"""An httpx.Auth that signs App Store Connect requests with short-lived ES256 JWTs (FACTS §4)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator

import httpx
import jwt

from reconciler.asc.credentials import Credentials

__all__ = ["AUDIENCE", "DEFAULT_LIFETIME", "REFRESH_MARGIN", "JwtAuth"]

log = logging.getLogger("reconciler.asc")

AUDIENCE = "appstoreconnect-v1"
# Apple rejects a token that expires more than 20 minutes ahead. 15 minutes leaves 5 minutes for
# our clock running ahead of Apple's; `iat` is back-dated 60 s (as fastlane does) for a clock
# running behind, and exp - iat stays at 16 minutes, under 20 whichever one Apple measures.
DEFAULT_LIFETIME = 15 * 60
BACKDATE = 60
# Re-mint this long before expiry so a token never expires between signing and Apple reading it.
REFRESH_MARGIN = 60
_MAX_LIFETIME = 20 * 60


class JwtAuth(httpx.Auth):
    """Adds `Authorization: Bearer <JWT>`; caches the token and re-mints it shortly before
    expiry, and once more when Apple answers 401 (a 401 means nothing was done, so the
    re-send is safe even for a POST). A second 401 is returned to the caller.

    `clock` returns Unix time in seconds (wall clock: JWT times are absolute).
    """

    requires_request_body = False
    requires_response_body = False

    def __init__(
        self,
        credentials: Credentials,
        clock: Callable[[], float] = time.time,
        *,
        lifetime: int = DEFAULT_LIFETIME,
    ) -> None:
        if not REFRESH_MARGIN < lifetime <= _MAX_LIFETIME - BACKDATE:
            raise ValueError(f"token lifetime must be in ({REFRESH_MARGIN}, 1140] seconds")
        self._credentials = credentials
        self._clock = clock
        self._lifetime = lifetime
        self._token: str | None = None
        self._expires = 0.0
        self.mint_count = 0  # tokens minted so far (tests and diagnostics)

    def __repr__(self) -> str:
        return f"JwtAuth(key_id={self._credentials.key_id!r})"

    def token(self, *, fresh: bool = False) -> str:
        """The current token, minted anew when absent, near expiry, or `fresh` is asked for."""
        now = self._clock()
        if fresh or self._token is None or now >= self._expires - REFRESH_MARGIN:
            self._token = self._mint(now)
        return self._token

    def _mint(self, now: float) -> str:
        issued = int(now) - BACKDATE
        expires = int(now) + self._lifetime
        payload: dict[str, object] = {"iat": issued, "exp": expires, "aud": AUDIENCE}
        if self._credentials.issuer_id is None:
            payload["sub"] = "user"  # an individual key has no issuer (FACTS §4)
        else:
            payload["iss"] = self._credentials.issuer_id
        token = jwt.encode(
            payload,
            self._credentials.private_key,
            algorithm="ES256",
            headers={"kid": self._credentials.key_id, "typ": "JWT"},
        )
        self._expires = float(expires)
        self.mint_count += 1
        log.debug("minted a token for key %s, valid %d s", self._credentials.key_id, self._lifetime)
        return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        response = yield request
        if response.status_code == 401:
            log.info("HTTP 401: minting a fresh token and sending the request once more")
            request.headers["Authorization"] = f"Bearer {self.token(fresh=True)}"
            yield request
