"""The simulated account: apps, their App Store versions (with localizations, phased releases
and the attached build) and builds, and the JSON file that keeps them.

`SandboxState` is also the builder API for tests: `add_app`, `add_version`, `add_localization`,
`add_build`, `attach_build` and `add_phased_release` make any account shape (rules are not
enforced here, so tests can build states Apple would never allow). Ids and createdDate are
deterministic: app ids count up from 6400000000, version ids are UUIDs derived
from a counter, and a version's createdDate, unless given, comes from the state's clock or, with
none, from the counter (one hour apart from 2025-01-01T00:00:00Z).

State file format 1 (JSON):

    {"format": 1, "next_app_number": int, "next_version_number": int,
     "apps": [{"id", "bundleId", "name", "sku", "primaryLocale",
               "versions": [{"id", "platform", "versionString", "appVersionState",
                             "appStoreState"?, "copyright", "releaseType",
                             "earliestReleaseDate", "reviewType", "usesIdfa", "downloadable",
                             "createdDate", "submitted"}]}]}

In a seed file, a version's `id`, `createdDate` and every attribute but platform, versionString
and appVersionState may be left out. Versions may also carry `localizations`, `phasedRelease` and
`build` (an id of one of the app's `builds`), see children.py; files without them still load.
Localization, build and phased-release ids are UUIDs from their own counters
(`next_localization_number`, `next_build_number`, `next_phased_release_number`).
An app may also carry `reviewSubmissions`, kept in `state.reviews` (submissions.py), with
counters `next_review_submission_number`, `next_review_item_number` and
`next_release_request_number`; files without them still load, and are written without them.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Callable, ItemsView, Iterator, KeysView, MutableMapping, ValuesView
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reconciler.sandbox.children import (
    AUDIENCES,
    PHASED_STATES,
    PROCESSING_STATES,
    TEXT_FIELDS,
    BuildRecord,
    LocalizationRecord,
    PhasedReleaseRecord,
    build_json,
    localization_json,
    phased_json,
)
from reconciler.sandbox.submissions import ReviewBook

__all__ = [
    "APP_STORE_STATE_OF",
    "APP_VERSION_STATES",
    "PLATFORMS",
    "RELEASE_TYPES",
    "AppRecord",
    "SandboxState",
    "StateFileError",
    "VersionRecord",
    "VersionTable",
    "format_instant",
]

PLATFORMS = ("IOS", "MAC_OS", "TV_OS", "VISION_OS")
RELEASE_TYPES = ("MANUAL", "AFTER_APPROVAL", "SCHEDULED")
REVIEW_TYPES = ("APP_STORE", "NOTARIZATION")

# The deprecated appStoreState mirrors appVersionState (FACTS §1); both are served.
APP_STORE_STATE_OF = {
    "ACCEPTED": "ACCEPTED",
    "DEVELOPER_REJECTED": "DEVELOPER_REJECTED",
    "IN_REVIEW": "IN_REVIEW",
    "INVALID_BINARY": "INVALID_BINARY",
    "METADATA_REJECTED": "METADATA_REJECTED",
    "PENDING_APPLE_RELEASE": "PENDING_APPLE_RELEASE",
    "PENDING_DEVELOPER_RELEASE": "PENDING_DEVELOPER_RELEASE",
    "PREPARE_FOR_SUBMISSION": "PREPARE_FOR_SUBMISSION",
    "PROCESSING_FOR_DISTRIBUTION": "PROCESSING_FOR_APP_STORE",
    "READY_FOR_DISTRIBUTION": "READY_FOR_SALE",
    "READY_FOR_REVIEW": "READY_FOR_REVIEW",
    "REJECTED": "REJECTED",
    "REPLACED_WITH_NEW_VERSION": "REPLACED_WITH_NEW_VERSION",
    "WAITING_FOR_EXPORT_COMPLIANCE": "WAITING_FOR_EXPORT_COMPLIANCE",
    "WAITING_FOR_REVIEW": "WAITING_FOR_REVIEW",
}
APP_VERSION_STATES = tuple(APP_STORE_STATE_OF)
_NEVER_SUBMITTED = frozenset({"PREPARE_FOR_SUBMISSION"})

_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_FIRST_APP_NUMBER = 6_400_000_000
_ID_NAMESPACE = uuid.UUID("7a1c5e2e-2f4b-4d7e-9a43-5ad3b0c0ffee")
FORMAT = 1


class StateFileError(Exception):
    """A state or seed file cannot be read: not JSON, or not a sandbox state."""


def format_instant(moment: datetime) -> str:
    """Apple's form of a date-time: UTC, seconds precision, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class AppRecord:
    id: str
    bundle_id: str
    name: str
    sku: str
    primary_locale: str = "en-US"


@dataclass
class VersionRecord:
    """One App Store version. `submitted` is true once it ever went to review."""

    id: str
    app_id: str
    platform: str
    version_string: str
    app_version_state: str
    created_date: str
    copyright: str | None = None
    release_type: str | None = None
    earliest_release_date: str | None = None
    review_type: str | None = "APP_STORE"
    uses_idfa: bool | None = None
    downloadable: bool = True
    submitted: bool = False
    app_store_state_override: str | None = None
    build_id: str | None = None

    @property
    def app_store_state(self) -> str:
        return self.app_store_state_override or APP_STORE_STATE_OF[self.app_version_state]

    def set_state(self, app_version_state: str) -> None:
        self.app_version_state = app_version_state
        self.app_store_state_override = None
        if app_version_state not in _NEVER_SUBMITTED:
            self.submitted = True


class VersionTable(MutableMapping[str, VersionRecord]):
    """Versions by id in insertion order, like a dict, with an index by app id kept in step on
    every store and delete: an app's versions cost what they are, not what the account holds.
    A stored record's `app_id` must not change (Apple's API cannot move a version either)."""

    def __init__(self) -> None:
        self._by_id: dict[str, VersionRecord] = {}
        self._by_app: dict[str, dict[str, VersionRecord]] = {}

    def of_app(self, app_id: str) -> list[VersionRecord]:
        """One app's versions, in the table's order."""
        return list(self._by_app.get(app_id, {}).values())

    def __getitem__(self, version_id: str) -> VersionRecord:
        return self._by_id[version_id]

    def __setitem__(self, version_id: str, record: VersionRecord) -> None:
        old = self._by_id.get(version_id)
        self._by_id[version_id] = record
        if old is not None and old.app_id != record.app_id:
            self._unindex(old.app_id, version_id)
            # Rare (tests only): rebuild, so the app's order stays the table's order.
            bucket = {k: v for k, v in self._by_id.items() if v.app_id == record.app_id}
            self._by_app[record.app_id] = bucket
        else:
            self._by_app.setdefault(record.app_id, {})[version_id] = record

    def __delitem__(self, version_id: str) -> None:
        record = self._by_id.pop(version_id)
        self._unindex(record.app_id, version_id)

    def _unindex(self, app_id: str, version_id: str) -> None:
        bucket = self._by_app[app_id]
        del bucket[version_id]
        if not bucket:
            del self._by_app[app_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, version_id: object) -> bool:
        return version_id in self._by_id

    # The dict's own views: iterating them must not cost a method call per item.
    def keys(self) -> KeysView[str]:
        return self._by_id.keys()

    def values(self) -> ValuesView[VersionRecord]:
        return self._by_id.values()

    def items(self) -> ItemsView[str, VersionRecord]:
        return self._by_id.items()


def _check(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


class SandboxState:
    """Apps and versions, in insertion order. Mutated by the app; saved by whoever owns a file."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock
        self.apps: dict[str, AppRecord] = {}
        self.version_records = VersionTable()
        self.next_app_number = _FIRST_APP_NUMBER
        self.next_version_number = 1
        self.next_localization_number = 1
        self.next_build_number = 1
        self.next_phased_release_number = 1
        self.localizations: dict[str, LocalizationRecord] = {}
        self.builds: dict[str, BuildRecord] = {}
        self.phased_releases: dict[str, PhasedReleaseRecord] = {}
        self._localizations_of: dict[str, dict[str, LocalizationRecord]] = {}
        self._phased_of: dict[str, PhasedReleaseRecord] = {}
        self.reviews = ReviewBook()  # review submissions and their items (submissions.py)

    # --- builder API ----------------------------------------------------------------------

    def add_app(
        self,
        bundle_id: str,
        *,
        name: str | None = None,
        app_id: str | None = None,
        sku: str | None = None,
        primary_locale: str = "en-US",
    ) -> str:
        """Add an app and return its id (numeric string, like Apple's)."""
        if app_id is None:
            while str(self.next_app_number) in self.apps:
                self.next_app_number += 1
            app_id = str(self.next_app_number)
            self.next_app_number += 1
        if app_id in self.apps:
            raise ValueError(f"app id {app_id} already exists")
        if any(app.bundle_id == bundle_id for app in self.apps.values()):
            raise ValueError(f"bundle id {bundle_id} already exists")
        self.apps[app_id] = AppRecord(
            id=app_id,
            bundle_id=bundle_id,
            name=name if name is not None else bundle_id.rsplit(".", 1)[-1].title(),
            sku=sku if sku is not None else bundle_id.upper().replace(".", "_"),
            primary_locale=primary_locale,
        )
        return app_id

    def add_version(
        self,
        app_id: str,
        *,
        platform: str = "IOS",
        version_string: str = "1.0",
        app_version_state: str = "PREPARE_FOR_SUBMISSION",
        release_type: str | None = "AFTER_APPROVAL",
        earliest_release_date: str | datetime | None = None,
        copyright: str | None = None,
        review_type: str | None = "APP_STORE",
        uses_idfa: bool | None = None,
        downloadable: bool = True,
        submitted: bool | None = None,
        created_date: str | datetime | None = None,
        version_id: str | None = None,
        app_store_state: str | None = None,
    ) -> str:
        """Add a version and return its id. `submitted` defaults to "not PREPARE_FOR_SUBMISSION"."""
        if app_id not in self.apps:
            raise KeyError(f"no app with id {app_id}")
        _check(platform, PLATFORMS, "platform")
        _check(app_version_state, APP_VERSION_STATES, "app_version_state")
        if release_type is not None:
            _check(release_type, RELEASE_TYPES, "release_type")
        if review_type is not None:
            _check(review_type, REVIEW_TYPES, "review_type")
        number = self.next_version_number
        self.next_version_number += 1
        if version_id is None:
            version_id = str(uuid.uuid5(_ID_NAMESPACE, f"appStoreVersions/{number}"))
        if version_id in self.version_records:
            raise ValueError(f"version id {version_id} already exists")
        if created_date is None:
            created_date = self.clock() if self.clock else _EPOCH + timedelta(hours=number)
        if isinstance(created_date, datetime):
            created_date = format_instant(created_date)
        if isinstance(earliest_release_date, datetime):
            earliest_release_date = format_instant(earliest_release_date)
        self.version_records[version_id] = VersionRecord(
            id=version_id,
            app_id=app_id,
            platform=platform,
            version_string=version_string,
            app_version_state=app_version_state,
            created_date=created_date,
            copyright=copyright,
            release_type=release_type,
            earliest_release_date=earliest_release_date,
            review_type=review_type,
            uses_idfa=uses_idfa,
            downloadable=downloadable,
            submitted=app_version_state not in _NEVER_SUBMITTED if submitted is None else submitted,
            app_store_state_override=app_store_state,
        )
        return version_id

    def add_localization(
        self,
        version_id: str,
        locale: str,
        *,
        whats_new: str | None = None,
        promotional_text: str | None = None,
        description: str | None = None,
        keywords: str | None = None,
        support_url: str | None = None,
        marketing_url: str | None = None,
        localization_id: str | None = None,
    ) -> str:
        """Add a localization to a version and return its id (no rule is checked)."""
        if version_id not in self.version_records:
            raise KeyError(f"no version with id {version_id}")
        if localization_id is None:
            localization_id = self._next_id("appStoreVersionLocalizations", self.localizations)
        if localization_id in self.localizations:
            raise ValueError(f"localization id {localization_id} already exists")
        record = LocalizationRecord(
            localization_id,
            version_id,
            locale,
            description=description,
            keywords=keywords,
            marketing_url=marketing_url,
            promotional_text=promotional_text,
            support_url=support_url,
            whats_new=whats_new,
        )
        self.localizations[localization_id] = record
        self._localizations_of.setdefault(version_id, {})[localization_id] = record
        return localization_id

    def remove_localization(self, localization_id: str) -> None:
        record = self.localizations.pop(localization_id)
        del self._localizations_of[record.version_id][localization_id]

    def add_build(
        self,
        app_id: str,
        *,
        version: str = "1.0",
        platform: str = "IOS",
        number: str = "1",
        processing_state: str = "VALID",
        audience: str = "APP_STORE_ELIGIBLE",
        expired: bool = False,
        uploaded_date: str | datetime | None = None,
        build_id: str | None = None,
        expiration_date: str | datetime | None = None,
        min_os_version: str | None = None,
    ) -> str:
        """Add a build of train `version` (its preReleaseVersion) numbered `number`."""
        if app_id not in self.apps:
            raise KeyError(f"no app with id {app_id}")
        _check(platform, PLATFORMS, "platform")
        _check(processing_state, PROCESSING_STATES, "processing_state")
        _check(audience, AUDIENCES, "audience")
        serial = self.next_build_number
        if build_id is None:
            build_id = self._next_id("builds", self.builds)
        if build_id in self.builds:
            raise ValueError(f"build id {build_id} already exists")
        if uploaded_date is None:
            uploaded_date = self.clock() if self.clock else _EPOCH + timedelta(hours=serial)
        if isinstance(uploaded_date, datetime):
            uploaded_date = format_instant(uploaded_date)
        if expiration_date is None and (moment := _instant(uploaded_date)) is not None:
            expiration_date = moment + timedelta(days=90)
        if isinstance(expiration_date, datetime):
            expiration_date = format_instant(expiration_date)
        self.builds[build_id] = BuildRecord(
            build_id,
            app_id,
            number,
            version,
            platform,
            processing_state=processing_state,
            audience=audience,
            expired=expired,
            uploaded_date=uploaded_date,
            expiration_date=expiration_date,
            min_os_version=min_os_version,
        )
        return build_id

    def attach_build(self, version_id: str, build_id: str | None) -> None:
        """Make `build_id` the version's build (None detaches); no rule is checked."""
        version = self.version_records[version_id]
        if version.build_id is not None and version.build_id in self.builds:
            self.builds[version.build_id].version_id = None
        version.build_id = build_id
        if build_id is not None:
            build = self.builds[build_id]
            if build.version_id is not None and build.version_id in self.version_records:
                self.version_records[build.version_id].build_id = None
            build.version_id = version_id

    def add_phased_release(
        self, version_id: str, state: str = "INACTIVE", *, phased_release_id: str | None = None
    ) -> str:
        """Give a version its phased release; a running one (ACTIVE, PAUSED) starts on day 1."""
        if version_id not in self.version_records:
            raise KeyError(f"no version with id {version_id}")
        _check(state, PHASED_STATES, "state")
        if version_id in self._phased_of:
            raise ValueError(f"version {version_id} already has a phased release")
        if phased_release_id is None:
            phased_release_id = self._next_id("appStoreVersionPhasedReleases", self.phased_releases)
        if phased_release_id in self.phased_releases:
            raise ValueError(f"phased release id {phased_release_id} already exists")
        record = PhasedReleaseRecord(phased_release_id, version_id, state)
        if state != "INACTIVE":
            record.current_day_number = 7 if state == "COMPLETE" else 1
            record.start_date = format_instant(self.clock() if self.clock else _EPOCH)
        self._store_phased(record)
        return phased_release_id

    def _store_phased(self, record: PhasedReleaseRecord) -> None:
        self.phased_releases[record.id] = record
        self._phased_of[record.version_id] = record

    def remove_phased_release(self, phased_release_id: str) -> None:
        record = self.phased_releases.pop(phased_release_id)
        del self._phased_of[record.version_id]

    def remove_version(self, version_id: str) -> None:
        """Delete a version with what it owns: localizations, phased release, build link."""
        self.attach_build(version_id, None)
        for localization_id in list(self._localizations_of.get(version_id, {})):
            self.remove_localization(localization_id)
        self._localizations_of.pop(version_id, None)
        phased = self._phased_of.get(version_id)
        if phased is not None:
            self.remove_phased_release(phased.id)
        for item in [i for i in self.reviews.items.values() if i.version_id == version_id]:
            self.reviews.remove_item(item.id)
        del self.version_records[version_id]

    def _next_id(self, kind: str, taken: dict[str, Any]) -> str:
        attribute = {
            "appStoreVersionLocalizations": "next_localization_number",
            "builds": "next_build_number",
            "appStoreVersionPhasedReleases": "next_phased_release_number",
        }[kind]
        while True:
            number = getattr(self, attribute)
            setattr(self, attribute, number + 1)
            candidate = str(uuid.uuid5(_ID_NAMESPACE, f"{kind}/{number}"))
            if candidate not in taken:
                return candidate

    # --- queries --------------------------------------------------------------------------

    def localizations_of(self, version_id: str) -> list[LocalizationRecord]:
        """A version's localizations, in creation order."""
        return list(self._localizations_of.get(version_id, {}).values())

    def phased_release_of(self, version_id: str) -> PhasedReleaseRecord | None:
        return self._phased_of.get(version_id)

    def builds_of(self, app_id: str) -> list[BuildRecord]:
        return [b for b in self.builds.values() if b.app_id == app_id]

    def versions(self, app_id: str, platform: str | None = None) -> list[VersionRecord]:
        """An app's versions, newest first (createdDate, then insertion order)."""
        found = [
            (v.created_date, i, v)
            for i, v in enumerate(self.version_records.of_app(app_id))
            if platform is None or v.platform == platform
        ]
        found.sort(key=lambda entry: entry[:2], reverse=True)  # the app's order is the table's
        return [v for _, _, v in found]

    def app_by_bundle_id(self, bundle_id: str) -> AppRecord | None:
        return next((a for a in self.apps.values() if a.bundle_id == bundle_id), None)

    def version(self, version_id: str) -> VersionRecord | None:
        return self.version_records.get(version_id)

    def __iter__(self) -> Iterator[AppRecord]:
        return iter(self.apps.values())

    # --- JSON -----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data = self._to_json()
        # Only what exists is written, so files of accounts without submissions stay as they were.
        data.update({k: v for k, v in self.reviews.counters_json().items() if v > 1})
        for app in data["apps"]:
            submissions = self.reviews.app_json(app["id"])
            if submissions:
                app["reviewSubmissions"] = submissions
        return data

    def _to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "next_app_number": self.next_app_number,
            "next_version_number": self.next_version_number,
            "next_localization_number": self.next_localization_number,
            "next_build_number": self.next_build_number,
            "next_phased_release_number": self.next_phased_release_number,
            "apps": [
                {
                    "id": app.id,
                    "bundleId": app.bundle_id,
                    "name": app.name,
                    "sku": app.sku,
                    "primaryLocale": app.primary_locale,
                    "versions": [
                        self._version_with_children(v) for v in self.version_records.of_app(app.id)
                    ],
                    "builds": [build_json(b) for b in self.builds_of(app.id)],
                }
                for app in self.apps.values()
            ],
        }

    def _version_with_children(self, version: VersionRecord) -> dict[str, Any]:
        data = _version_json(version)
        data["localizations"] = [localization_json(r) for r in self.localizations_of(version.id)]
        phased = self.phased_release_of(version.id)
        if phased is not None:
            data["phasedRelease"] = phased_json(phased)
        if version.build_id is not None:
            data["build"] = version.build_id
        return data

    @classmethod
    def from_json(cls, data: Any, clock: Callable[[], datetime] | None = None) -> SandboxState:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise StateFileError(f"not a sandbox state (expected an object with format {FORMAT})")
        state = cls(clock=clock)
        try:
            for app in data["apps"]:
                app_id = state.add_app(
                    app["bundleId"],
                    name=app.get("name"),
                    app_id=app["id"],
                    sku=app.get("sku"),
                    primary_locale=app.get("primaryLocale", "en-US"),
                )
                for b in app.get("builds", []):
                    state.add_build(app_id, **_build_kwargs(b))
                for v in app.get("versions", []):
                    fields = dict(v)
                    children = {k: fields.pop(k) for k in _VERSION_CHILDREN if k in fields}
                    version_id = state.add_version(app_id, **_version_kwargs(fields))
                    state._load_children(version_id, children)
                own = {v.id for v in state.version_records.of_app(app_id)}
                state.reviews.load_app(app_id, app.get("reviewSubmissions", []), own)
            state.reviews.load_counters(data)
            for counter in (
                "next_app_number",
                "next_version_number",
                "next_localization_number",
                "next_build_number",
                "next_phased_release_number",
            ):
                setattr(state, counter, max(getattr(state, counter), data.get(counter, 0)))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise StateFileError(f"invalid sandbox state: {error}") from error
        return state

    def _load_children(self, version_id: str, children: dict[str, Any]) -> None:
        for item in children.get("localizations", []):
            fields = dict(item)
            localization_id, locale = fields.pop("id", None), fields.pop("locale")
            unknown = set(fields) - set(TEXT_FIELDS)
            if unknown:
                raise ValueError(f"unknown localization keys: {', '.join(sorted(unknown))}")
            texts = {TEXT_FIELDS[key]: value for key, value in fields.items()}
            self.add_localization(version_id, locale, localization_id=localization_id, **texts)
        phased = children.get("phasedRelease")
        if phased is not None:
            _check(phased["phasedReleaseState"], PHASED_STATES, "phasedReleaseState")
            record = PhasedReleaseRecord(
                phased.get("id")
                or self._next_id("appStoreVersionPhasedReleases", self.phased_releases),
                version_id,
                phased["phasedReleaseState"],
                start_date=phased.get("startDate"),
                total_pause_duration=phased.get("totalPauseDuration", 0),
                current_day_number=phased.get("currentDayNumber"),
            )
            if record.id in self.phased_releases:
                raise ValueError(f"phased release id {record.id} already exists")
            self._store_phased(record)
        if children.get("build") is not None:
            self.attach_build(version_id, children["build"])

    @classmethod
    def load(cls, path: Path, clock: Callable[[], datetime] | None = None) -> SandboxState:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise StateFileError(f"cannot read {path}: {error.strerror}") from error
        except UnicodeDecodeError as error:
            raise StateFileError(f"{path} is not UTF-8 text") from error
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise StateFileError(f"{path} is not JSON: {error}") from error
        return cls.from_json(data, clock=clock)

    def save(self, path: Path) -> None:
        """Write atomically: a temp file in the same folder, fsync, then os.replace."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(temp).replace(path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every platform lets a folder be opened.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_VERSION_KEYS = {
    "id": "version_id",
    "platform": "platform",
    "versionString": "version_string",
    "appVersionState": "app_version_state",
    "appStoreState": "app_store_state",
    "copyright": "copyright",
    "releaseType": "release_type",
    "earliestReleaseDate": "earliest_release_date",
    "reviewType": "review_type",
    "usesIdfa": "uses_idfa",
    "downloadable": "downloadable",
    "createdDate": "created_date",
    "submitted": "submitted",
}


_VERSION_CHILDREN = ("localizations", "phasedRelease", "build")
_BUILD_KEYS = {
    "id": "build_id",
    "version": "number",
    "train": "version",
    "platform": "platform",
    "processingState": "processing_state",
    "buildAudienceType": "audience",
    "expired": "expired",
    "uploadedDate": "uploaded_date",
    "expirationDate": "expiration_date",
    "minOsVersion": "min_os_version",
}


def _build_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(_BUILD_KEYS)
    if unknown:
        raise ValueError(f"unknown build keys: {', '.join(sorted(unknown))}")
    return {_BUILD_KEYS[key]: value for key, value in data.items()}


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _version_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(_VERSION_KEYS)
    if unknown:
        raise ValueError(f"unknown version keys: {', '.join(sorted(unknown))}")
    return {_VERSION_KEYS[key]: value for key, value in data.items()}


def _version_json(v: VersionRecord) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": v.id,
        "platform": v.platform,
        "versionString": v.version_string,
        "appVersionState": v.app_version_state,
        "copyright": v.copyright,
        "releaseType": v.release_type,
        "earliestReleaseDate": v.earliest_release_date,
        "reviewType": v.review_type,
        "usesIdfa": v.uses_idfa,
        "downloadable": v.downloadable,
        "createdDate": v.created_date,
        "submitted": v.submitted,
    }
    if v.app_store_state_override:
        data["appStoreState"] = v.app_store_state_override
    return data
