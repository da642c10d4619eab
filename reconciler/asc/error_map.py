"""Apple's error documents -> ApiError entries, with what to do next (FACTS §3, §6)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from reconciler.errors import ApiErrorEntry

__all__ = ["hint_for", "parse_entries", "redact"]


def parse_entries(body: object, status: int, reason: str) -> list[ApiErrorEntry]:
    """Every entry of `{"errors": [...]}`; one made-up entry when the body is not such a document
    (e.g. an HTML page from a proxy), so an ApiError always has at least one code."""
    errors = body.get("errors") if isinstance(body, Mapping) else None
    entries = (
        [_entry(e) for e in errors if isinstance(e, Mapping)] if isinstance(errors, list) else []
    )
    return entries or [ApiErrorEntry(str(status), f"HTTP_{status}", redact(reason) or "error")]


def _entry(raw: Mapping[str, object], associated_with: str | None = None) -> ApiErrorEntry:
    source = raw.get("source")
    source = source if isinstance(source, Mapping) else {}
    meta = raw.get("meta")
    nested = meta.get("associatedErrors") if isinstance(meta, Mapping) else None
    associated: list[ApiErrorEntry] = []
    if isinstance(nested, Mapping):
        for where, items in nested.items():
            if isinstance(items, list):
                associated += [_entry(i, str(where)) for i in items if isinstance(i, Mapping)]
    return ApiErrorEntry(
        status=_text(raw.get("status")) or "",
        code=_text(raw.get("code")) or "UNKNOWN",
        title=_text(raw.get("title")) or "",
        detail=_text(raw.get("detail")),
        pointer=_text(source.get("pointer")),
        parameter=_text(source.get("parameter")),
        associated=tuple(associated),
        id=_text(raw.get("id")),
        associated_with=associated_with,
    )


# A server or proxy that echoes our Authorization header must not get the token printed: any
# JWT (three base64url parts, the first a JSON header, so "eyJ") and any bearer credential.
_SECRET = re.compile(
    r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{16,}"
)
# Text from a server is shown to people; a page of it is not an error message.
_MAX_TEXT = 2000


def redact(text: str) -> str:
    """Server text fit to print: tokens replaced, length bounded."""
    cleaned = _SECRET.sub("[redacted]", text[: _MAX_TEXT * 2])
    return cleaned if len(cleaned) <= _MAX_TEXT else cleaned[:_MAX_TEXT] + "…"


def _text(value: object) -> str | None:
    return None if value is None else redact(str(value)[: _MAX_TEXT * 2])


# 409 is where nearly every business rule lands; name the rule when we recognise it.
_RULES_409 = (
    (
        "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE",
        "that version string was used before on this app and platform; choose a higher one.",
    ),
    (
        "ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE",
        "the version is no longer editable (submitted, in review or released).",
    ),
    (
        "ENTITY_ERROR.RELATIONSHIP.INVALID",
        "a platform can have only one version in progress; update the editable version instead "
        "of creating one, or wait for the one in review to be released.",
    ),
    ("STATE_ERROR", "the state of a related resource forbids this change right now."),
)


def hint_for(status: int, entries: list[ApiErrorEntry]) -> str:
    """One sentence on what to do next for this status and these codes."""
    codes = [code for e in entries for code in e.all_codes()]
    details = " ".join(e.detail or "" for e in entries)
    if status == 401:
        return (
            "Check the key: the key id, issuer id (absent only for an individual key) and "
            "private key must belong together, the key must not be revoked, and this "
            "machine's clock must be right."
        )
    if status == 403:
        if any("AGREEMENT" in c for c in codes):
            return (
                "An agreement needs accepting: the Account Holder must accept it in "
                "App Store Connect (Business)."
            )
        return (
            "The key's role does not allow this (App Manager or Admin is needed to manage "
            "versions), or an agreement in App Store Connect needs accepting."
        )
    if status == 409:
        if "hour precision" in details:
            return "Conflict: earliestReleaseDate must fall exactly on the hour."
        for prefix, text in _RULES_409:
            if any(c == prefix or c.startswith(prefix + ".") for c in codes):
                return f"Conflict with an App Store Connect rule: {text}"
        return "Conflict with an App Store Connect rule; the detail above names it."
    if status == 429:
        return (
            "The hourly request budget of this API key is spent (or a burst limit was hit): "
            "wait and run again, or spread runs over time."
        )
    if status == 404:
        return (
            "It does not exist, or this key cannot see it (an individual key sees only its apps)."
        )
    if status in (400, 422):
        return (
            "App Store Connect did not accept the request itself; this is likely a reconciler bug."
        )
    if status >= 500:
        return "App Store Connect had a server error; try again later."
    return ""
