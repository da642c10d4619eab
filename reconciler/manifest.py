"""The desired state: pydantic models of manifest format 1 (DESIGN §2). Pure: no I/O.

`ManifestFile` is one file as written (it is what the JSON schema describes). `Manifest` is
what the rest of the program uses: the apps of every file, with each file's `defaults`
already filled in by the loader, and where each app was declared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    Tag,
    model_validator,
)

from reconciler.kinds.locales import LOCALES, locale_hint
from reconciler.kinds.version_strings import VERSION_PATTERN

__all__ = [
    "ABSENT",
    "BUNDLE_ID_MAX_LENGTH",
    "BUNDLE_ID_PATTERN",
    "DEFAULT_LOCALE",
    "FORMATS",
    "PROMOTIONAL_TEXT_MAX",
    "RELEASE_NOTES_MAX",
    "AppEntry",
    "BundleId",
    "Defaults",
    "Manifest",
    "ManifestFile",
    "Platform",
    "PlatformRelease",
    "PlatformSpec",
    "ReleaseType",
    "SourceLocation",
    "short",
    "shown",
]

FORMATS = (1,)
ABSENT = "absent"
# Apple: letters, digits, hyphens and periods, reverse-DNS, at most 155 characters.
BUNDLE_ID_PATTERN = r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
BUNDLE_ID_MAX_LENGTH = 155
APP_ID_PATTERN = r"^[0-9]{1,19}$"
# ISO 8601 / RFC 3339 text only: without it, pydantic would read "3600" as a Unix time.
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(?P<fraction>\.[0-9]+)?)?)?"
    r"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?"
)
DEFAULT_LOCALE = "default"  # the release_notes key for every locale without an entry of its own
RELEASE_NOTES_MAX = 4000  # characters (code points), FACTS-2 R17
PROMOTIONAL_TEXT_MAX = 170
# CFBundleVersion: one to three period-separated integers.
BUILD_PATTERN = r"^[0-9]{1,18}(\.[0-9]{1,18}){0,2}$"
_ON_THE_HOUR = "must fall exactly on the hour in UTC (App Store Connect allows hour precision only)"


def short(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters, so that a huge value cannot flood a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: Any) -> str:
    """A value as a message quotes it: its repr, cut short."""
    return short(repr(value))


class Platform(StrEnum):
    """Manifest platform keys; `.api` is App Store Connect's enum value."""

    IOS = "ios"
    MACOS = "macos"
    TVOS = "tvos"
    VISIONOS = "visionos"

    @property
    def api(self) -> str:
        return _API_PLATFORMS[self]

    @classmethod
    def from_api(cls, value: str) -> Platform:
        return _FROM_API[value]


_API_PLATFORMS = {
    Platform.IOS: "IOS",
    Platform.MACOS: "MAC_OS",
    Platform.TVOS: "TV_OS",
    Platform.VISIONOS: "VISION_OS",
}
_FROM_API = {api: platform for platform, api in _API_PLATFORMS.items()}


class ReleaseType(StrEnum):
    """How an approved version is released (FACTS §1); `.api` is Apple's value."""

    MANUAL = "manual"
    AFTER_APPROVAL = "after_approval"
    SCHEDULED = "scheduled"

    @property
    def api(self) -> str:
        return self.value.upper()


def _require_text(value: Any) -> Any:
    # YAML turns 2.4 into a float and 2026-12-01 into a date; a quoted string is the only
    # unambiguous spelling, so anything else is refused here rather than coerced.
    if not isinstance(value, str):
        raise ValueError(f"expected a quoted string, got {shown(value)} ({_kind(value)})")
    return value


def _require_date_text(value: Any) -> Any:
    # Python callers may pass a datetime; numbers and digit strings (epoch seconds) are refused.
    if isinstance(value, datetime):
        return value
    match = _DATE_TIME.fullmatch(_require_text(value))
    if not match:
        raise ValueError(
            f"{shown(value)} is not a date-time: write it like 2026-12-01T09:00:00-08:00"
        )
    if (match.group("fraction") or "").strip(".0"):
        raise ValueError(_ON_THE_HOUR)  # checked here: pydantic drops digits past microseconds
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__


def _on_the_hour(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range: use a date between years 1 and 9999 in UTC") from None
    if (utc.minute, utc.second, utc.microsecond) != (0, 0, 0):
        raise ValueError(_ON_THE_HOUR)
    return value


def _digits(value: Any) -> Any:
    # YAML reads an unquoted app id as an integer, which is what it means; anything else
    # that is not text (1234567890.0, true) is refused here rather than by pydantic's words.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(
            f'expected an app id of digits, e.g. "1234567890"; got {shown(value)} ({_kind(value)})'
        )
    return value


def _build_number(value: Any) -> Any:
    # An unquoted 2040 is an integer and means the same; 2040.1 is a float and may not.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(
            f'expected a build number (CFBundleVersion), e.g. "2040"; got {shown(value)} '
            f"({_kind(value)}): quote it"
        )
    return value


def _locale_key(value: Any) -> Any:
    if isinstance(value, str) and value not in LOCALES and value != DEFAULT_LOCALE:
        raise ValueError(locale_hint(value))
    return value


def _plain_locale_key(value: Any) -> Any:
    if value == DEFAULT_LOCALE:
        raise ValueError(f"`{DEFAULT_LOCALE}` is only for release_notes: name each locale here")
    return _locale_key(value)


def _text_at_most(limit: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        _require_text(value)
        # Counted as it is sent: line ends as \n, no white space at the ends.
        length = len(value.replace("\r\n", "\n").strip())
        if length > limit:
            raise ValueError(f"is {length} characters long; App Store Connect allows {limit}")
        return value

    return check


# Each BeforeValidator comes after the Field, so that it wraps the constrained string and
# the JSON schema keeps the pattern.
VersionString = Annotated[
    str,
    Field(
        pattern=VERSION_PATTERN,
        description="The App Store version string: 1 to 3 dot-separated integers of at most "
        '9 digits, without leading zeros, e.g. "2", "2.4", "2.4.0". Quote it: YAML reads 2.4 '
        "as a number.",
    ),
    BeforeValidator(_require_text),
]
ReleaseDate = Annotated[
    AwareDatetime,
    BeforeValidator(_require_date_text),
    AfterValidator(_on_the_hour),
]
Copyright = Annotated[str, BeforeValidator(_require_text)]


BuildNumber = Annotated[
    str,
    Field(pattern=BUILD_PATTERN),
    BeforeValidator(_build_number),
]
Locale = Annotated[
    str,
    Field(description="One of Apple's App Store locale codes, e.g. en-US, de-DE, ja."),
    BeforeValidator(_plain_locale_key),
]
NotesLocale = Annotated[
    str,
    Field(description="An App Store locale code, or `default` for every other locale."),
    BeforeValidator(_locale_key),
]
ReleaseNotes = dict[
    NotesLocale,
    Annotated[
        str,
        # The limit is checked on the stripped text (a block scalar ends in a newline);
        # the schema still tells editors.
        Field(
            description="What's New in this locale.",
            json_schema_extra={"maxLength": RELEASE_NOTES_MAX},
        ),
        BeforeValidator(_text_at_most(RELEASE_NOTES_MAX)),
    ],
]
PromotionalText = dict[
    Locale,
    Annotated[
        str,
        Field(
            description="The promotional text in this locale.",
            json_schema_extra={"maxLength": PROMOTIONAL_TEXT_MAX},
        ),
        BeforeValidator(_text_at_most(PROMOTIONAL_TEXT_MAX)),
    ],
]


def _phased_value(value: Any) -> Any:
    if isinstance(value, bool) or value in ("paused", "complete"):
        return value
    raise ValueError(f"expected true, false, paused or complete; got {shown(value)}")


PhasedRelease = Annotated[
    StrictBool | Literal["paused", "complete"],
    BeforeValidator(_phased_value),
]


def _switch_value(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise ValueError(f"expected true or false; got {shown(value)}")


# `submit` and `release`: true or false, and nothing else.
Switch = Annotated[StrictBool, BeforeValidator(_switch_value)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


def _key(title: str, description: str) -> Any:
    """An optional key, titled and described for editors; left out (None), it is not managed."""
    return Field(default=None, title=title, description=description)


_RELEASE_TYPE = (
    "How an approved version is released: manual (you release it), after_approval (at once) "
    "or scheduled (at earliest_release_date, which it requires)."
)
_RELEASE_DATE = (
    "ISO 8601 date-time with a UTC offset, on the hour, e.g. 2026-12-01T09:00:00-08:00. "
    "Required with release_type scheduled, forbidden otherwise."
)
_COPYRIGHT = 'The copyright line, e.g. "2026 Example Inc."; "" clears it.'
_IN_THIS_FILE = " For every platform entry of this file that leaves it out."
_LEFT_OUT = " Left out: not managed."


class Defaults(_Frozen):
    """Values a platform entry of the same file takes when it leaves the key out."""

    release_type: ReleaseType | None = _key("Release type", _RELEASE_TYPE + _IN_THIS_FILE)
    earliest_release_date: ReleaseDate | None = _key(
        "Earliest release date", _RELEASE_DATE + _IN_THIS_FILE
    )
    copyright: Copyright | None = _key("Copyright", _COPYRIGHT + _IN_THIS_FILE)


class PlatformRelease(_Frozen):
    """The App Store version that should exist on one platform.

    Invariant: `earliest_release_date` is set exactly when `release_type` is scheduled.
    A key left out (None) is not managed: the remote value is left as it is.
    """

    version: VersionString
    release_type: ReleaseType | None = _key("Release type", _RELEASE_TYPE + _LEFT_OUT)
    earliest_release_date: ReleaseDate | None = _key("Earliest release date", _RELEASE_DATE)
    copyright: Copyright | None = _key("Copyright", _COPYRIGHT + _LEFT_OUT)
    release_notes: ReleaseNotes | None = _key(
        "Release notes (What's New)",
        "What's New in this version, per locale (at most 4,000 characters each). `default` "
        "fills every locale of the version that has no entry of its own. Not allowed on the "
        "first version of a platform." + _LEFT_OUT,
    )
    promotional_text: PromotionalText | None = _key(
        "Promotional text",
        "Promotional text per locale (at most 170 characters each); it can change on a live "
        "version." + _LEFT_OUT,
    )
    build: BuildNumber | None = _key(
        "Build",
        "The build number (CFBundleVersion) of an uploaded build of this version and platform, "
        'e.g. "2040". It is attached once App Store Connect has processed it.' + _LEFT_OUT,
    )
    phased_release: PhasedRelease | None = _key(
        "Phased release",
        "Release the update in phases over 7 days: true (a phased release exists, running once "
        "released), false (release to everyone at once), or, for a rollout under way, paused or "
        "complete (release to everyone now; final)." + _LEFT_OUT,
    )
    submit: Switch | None = _key(
        "Submit",
        "Send the version to App Review once everything Apple checks is in place: the build "
        "attached and processed, and release notes in every locale of an update." + _LEFT_OUT,
    )
    release: Switch | None = _key(
        "Release",
        "With release_type manual: release the version once App Review has approved it (it "
        "waits in PENDING_DEVELOPER_RELEASE until then)." + _LEFT_OUT,
    )

    def manages_children(self) -> bool:
        """Whether anything hanging off the version is managed (it costs reads)."""
        managed = (
            self.release_notes,
            self.promotional_text,
            self.build,
            self.phased_release,
            self.submit or None,  # a submission checks the build and release notes
        )
        return any(value is not None for value in managed)

    @model_validator(mode="after")
    def _date_goes_with_scheduled(self) -> PlatformRelease:
        scheduled = self.release_type is ReleaseType.SCHEDULED
        if scheduled and self.earliest_release_date is None:
            raise ValueError("release_type scheduled needs earliest_release_date")
        if not scheduled and self.earliest_release_date is not None:
            shown = self.release_type.value if self.release_type else "not set"
            raise ValueError(
                "earliest_release_date is only allowed with release_type: scheduled "
                f"(release_type is {shown})"
            )
        return self


def _platform_tag(value: Any) -> str:
    return "absent" if isinstance(value, str) else "release"


PlatformSpec = Annotated[
    Annotated[Literal["absent"], Tag("absent")] | Annotated[PlatformRelease, Tag("release")],
    Discriminator(_platform_tag),
]


def _platform_key(name: str) -> Any:
    return _key(
        name,
        f'The {name} App Store version that should exist, or "absent": no editable version may '
        f"exist on {name} (a never-submitted one is deleted). Left out: {name} is not managed.",
    )


class AppEntry(_Frozen):
    """One app, keyed by bundle id. A platform left out is not managed."""

    app_id: (
        Annotated[
            str,
            Field(pattern=APP_ID_PATTERN),
            BeforeValidator(_digits),
        ]
        | None
    ) = _key(
        "App id",
        'Apple\'s numeric id of the app, e.g. "1234567890"; if given, it must be the id App '
        "Store Connect has for this bundle id.",
    )
    ios: PlatformSpec | None = _platform_key("iOS")
    macos: PlatformSpec | None = _platform_key("macOS")
    tvos: PlatformSpec | None = _platform_key("tvOS")
    visionos: PlatformSpec | None = _platform_key("visionOS")

    def platforms(self) -> dict[Platform, PlatformRelease | Literal["absent"]]:
        """The managed platforms, in a fixed order."""
        found = {p: getattr(self, p.value) for p in Platform}
        return {p: spec for p, spec in found.items() if spec is not None}


BundleId = Annotated[
    str,
    Field(
        pattern=BUNDLE_ID_PATTERN,
        max_length=BUNDLE_ID_MAX_LENGTH,
        description="The app's bundle id: letters, digits, hyphens and periods, reverse-DNS.",
    ),
]


class ManifestFile(_Frozen):
    """One manifest file as written (format 1)."""

    model_config = ConfigDict(title="reconciler manifest (format 1)")

    format: Literal[1] = Field(
        title="Format", description="Manifest format; this reconciler knows format 1."
    )
    defaults: Defaults | None = _key(
        "Defaults",
        "Values that every platform entry of this file takes for the keys it leaves out; other "
        "files are not affected.",
    )
    apps: dict[BundleId, AppEntry] = Field(
        title="Apps",
        description="The apps this file manages, keyed by bundle id (e.g. com.example.weather). "
        "An app left out is not managed.",
    )


class SourceLocation(_Frozen):
    """Where something was declared: file and 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Manifest(_Frozen):
    """The desired state of every file read, defaults applied; sorted by bundle id.

    Bundle ids are checked here too, so a plan file's `desired` cannot smuggle in one that
    would break a request (a comma-separated filter, an empty id).
    """

    apps: dict[BundleId, AppEntry]
    locations: dict[str, SourceLocation] = Field(default_factory=dict)

    def platform_count(self) -> int:
        return sum(len(app.platforms()) for app in self.apps.values())
