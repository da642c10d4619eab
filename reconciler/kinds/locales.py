"""Apple's App Store locale codes (FACTS-2 §9.1, R14): the one table the manifest checks
release notes and promotional text against. Apple added 11 codes in 2026; add new ones here."""

from __future__ import annotations

__all__ = ["LOCALES", "locale_hint"]

LOCALES: tuple[str, ...] = (
    "ar-SA", "bn-BD", "ca", "cs", "da", "de-DE", "el", "en-AU", "en-CA", "en-GB", "en-US",
    "es-ES", "es-MX", "fi", "fr-CA", "fr-FR", "gu-IN", "he", "hi", "hr", "hu", "id", "it",
    "ja", "kn-IN", "ko", "ml-IN", "mr-IN", "ms", "nl-NL", "no", "or-IN", "pa-IN", "pl",
    "pt-BR", "pt-PT", "ro", "ru", "sk", "sl-SI", "sv", "ta-IN", "te-IN", "th", "tr", "uk",
    "ur-PK", "vi", "zh-Hans", "zh-Hant",
)  # fmt: skip

# Codes people write that Apple spells otherwise.
_APPLE_SPELLING = {
    "nb": "no",
    "nb-NO": "no",
    "nn": "no",
    "zh-CN": "zh-Hans",
    "zh-TW": "zh-Hant",
    "zh-HK": "zh-Hant",
    "iw": "he",
    "in": "id",
}
_BY_FOLDED = {code.casefold(): code for code in LOCALES} | {
    other.casefold(): code for other, code in _APPLE_SPELLING.items()
}


def locale_hint(code: str) -> str:
    """Why `code` is not one of Apple's, and what Apple calls it if we can tell."""
    # Case and an underscore (en_US, zh_cn: how Android and Java write them) say nothing.
    folded = code.replace("_", "-").casefold()
    spelled = _BY_FOLDED.get(folded)
    if spelled is None:
        # A bare language ("de", "bn") or another region of one Apple lists once ("de-AT").
        language = folded.split("-", 1)[0]
        regions = [c for c in LOCALES if c.split("-", 1)[0].casefold() == language]
        spelled = regions[0] if len(regions) == 1 else None
    if spelled is not None:
        return f"{code!r} is not an App Store locale: Apple uses `{spelled}`"
    return (
        f"{code!r} is not one of Apple's {len(LOCALES)} App Store locales (e.g. en-US, de-DE, ja)"
    )
