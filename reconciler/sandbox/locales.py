"""The 50 locale codes App Store Connect accepts for version localizations (FACTS-2 §9.1).

One data table, as fastlane's ALL_LANGUAGES and ASC-GO's list have it since Apple added eleven
codes in 2026 (bn-BD, gu-IN, kn-IN, ml-IN, mr-IN, or-IN, pa-IN, sl-SI, ta-IN, te-IN, ur-PK).
"""

from __future__ import annotations

from reconciler.sandbox.spec import words

__all__ = ["LOCALES"]

LOCALES = frozenset(
    words(
        """ar-SA bn-BD ca cs da de-DE el en-AU en-CA en-GB en-US es-ES es-MX fi fr-CA fr-FR gu-IN he
    hi hr hu id it ja kn-IN ko ml-IN mr-IN ms nl-NL no or-IN pa-IN pl pt-BR pt-PT ro ru sk sl-SI sv
    ta-IN te-IN th tr uk ur-PK vi zh-Hans zh-Hant"""
    )
)
