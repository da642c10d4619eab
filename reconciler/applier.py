"""apply_plan(plan, client) -> ApplyResult: make exactly the plan's writes, one request each.

A create whose answer was lost is settled in seconds, not by waiting (the README says why this
is safe): it is read back once at once and, if absent, sent again at once. Apple keeps at most
one version in flight per platform (R1) and never takes a version string twice (R2), so a
second POST can never make a second version: 201 means the first never landed; a 409 with the
duplicate (E2) or one-version (E1) code means it did. Its id is then looked up with short reads
bounded by `ReadBack` (Apple can hide a new version for a while, R9); if it stays hidden, the
change is done, "created; not yet visible". A failure stays with its app and platform; later
changes of the same app and platform are skipped. `stop()` is asked between changes (Ctrl-C).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.asc import (
    AscClient,
    parse_app_store_version,
    query,
    version_create_body,
    version_update_body,
)
from reconciler.errors import (
    AmbiguousWriteError,
    ApiError,
    AscError,
    CredentialsRejectedError,
)
from reconciler.manifest import Platform
from reconciler.outcome import ApplyResult, ChangeResult, FailureInfo, Status
from reconciler.plan import Action, Change, Plan
from reconciler.planner import remote_attributes
from reconciler.reader import to_remote_version

__all__ = ["NOT_YET_VISIBLE", "ReadBack", "apply_plan", "failure_info"]

# Apple's codes saying a version is already there (FACTS E2, E1), found in any entry.
DUPLICATE = "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE"
ONE_VERSION = "ENTITY_ERROR.RELATIONSHIP.INVALID"
# A create is sent at most this often, each time only after a read-back found nothing.
CREATE_ATTEMPTS = 5
NOT_YET_VISIBLE = "created; not yet visible (App Store Connect confirmed it exists)"
_API_NAMES = {
    "version": "versionString",
    "release_type": "releaseType",
    "earliest_release_date": "earliestReleaseDate",
    "copyright": "copyright",
}


@dataclass(frozen=True)
class ReadBack:
    """How long to look for a version Apple confirmed but does not list yet (R9): `attempts`
    reads, waiting `first_wait` seconds before the second and doubling up to `max_wait`."""

    attempts: int = 8
    first_wait: float = 0.25
    max_wait: float = 8.0

    @classmethod
    def within(cls, seconds: float) -> ReadBack:
        """As many reads as fit when the waits between them add up to at most `seconds`."""
        reads, total = 1, 0.0
        while total + min(cls.first_wait * 2 ** (reads - 1), cls.max_wait) <= seconds:
            total += min(cls.first_wait * 2 ** (reads - 1), cls.max_wait)
            reads += 1
        return cls(attempts=reads)

    def waits(self) -> list[float]:
        """The waits between reads."""
        return [min(self.first_wait * 2**i, self.max_wait) for i in range(self.attempts - 1)]


def failure_info(error: AscError) -> FailureInfo:
    """The error as plain values for reports; Apple's codes from every entry."""
    if isinstance(error, ApiError):
        fatal = isinstance(error, CredentialsRejectedError)
        return FailureInfo(str(error), error.status, tuple(error.codes), fatal)
    return FailureInfo(str(error))


def apply_plan(
    plan: Plan,
    client: AscClient,
    *,
    on_result: Callable[[ChangeResult], None] = lambda _: None,
    stop: Callable[[], bool] = lambda: False,
    read_back: ReadBack = ReadBack(),
    sleep: Callable[[float], None] = time.sleep,
) -> ApplyResult:
    """Apply every change of `plan` in its order (deletes first within a platform)."""
    result = ApplyResult(deferred=plan.deferred, errors=plan.errors)
    blocked: dict[tuple[str, Platform], str] = {}
    halted = ""  # why every later change is skipped (a rejected key)
    writer = _Writer(client, read_back, sleep)
    for change in plan.changes:
        if not result.interrupted and stop():
            result.interrupted = True
        key = (change.app, change.platform)
        if result.interrupted:
            outcome = ChangeResult(change, Status.SKIPPED, note="interrupted before it started")
        elif halted or key in blocked:
            outcome = ChangeResult(change, Status.SKIPPED, note=halted or blocked[key])
        else:
            outcome = writer.write(change)
            if outcome.status is Status.FAILED:
                blocked[key] = f"an earlier change of {change.app} failed"
                if outcome.failure is not None and outcome.failure.fatal:
                    halted = "App Store Connect rejected the credentials"
        result.results.append(outcome)
        on_result(outcome)
    return result


class _Writer:
    def __init__(self, client: AscClient, read_back: ReadBack, sleep: Callable[[float], None]):
        self.client = client
        self.read_back = read_back
        self.sleep = sleep

    def write(self, change: Change) -> ChangeResult:
        try:
            if change.action is Action.CREATE:
                return self._create(change)
            if change.action is Action.UPDATE:
                return self._update(change)
            return self._delete(change)
        except AscError as error:
            failure = failure_info(error)
            return ChangeResult(change, Status.FAILED, change.version_id, failure=failure)

    def _create(self, change: Change) -> ChangeResult:
        body = version_create_body(change.app_id, change.platform.api, _api(change.after or {}))
        lost: AscError | None = None  # why the last answer told us nothing
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                created_id = _created_id(self.client.post("/v1/appStoreVersions", body))
            except AmbiguousWriteError as error:
                lost = error
            except ApiError as error:
                if not _says_it_exists(error):
                    raise
                return self._exists(change, error, earlier_lost=lost is not None)
            else:
                if created_id is not None:
                    note = f"sent {attempt} times: earlier answers were lost" if attempt > 1 else ""
                    return ChangeResult(change, Status.DONE, created_id, note)
                lost = AmbiguousWriteError(
                    "POST", "/v1/appStoreVersions", "no data.id in the answer"
                )
            # The answer was lost: one read at once; if absent, send again at once (R1, R2).
            found = self._find(change, waits=[])
            if found:
                return ChangeResult(change, Status.DONE, found, "confirmed by reading back")
        assert lost is not None
        raise lost

    def _exists(self, change: Change, error: ApiError, *, earlier_lost: bool) -> ChangeResult:
        """Apple says the version (or one in flight) is there. After a lost answer that is our
        first try: find its id, or report it done but hidden. On a first try it is ours only
        if it can be found (an earlier run made it); otherwise the refusal stands."""
        found = self._find(change, waits=self.read_back.waits())
        if found:
            note = "an earlier try landed (read back)" if earlier_lost else "it already existed"
            return ChangeResult(change, Status.DONE, found, note)
        if earlier_lost:
            return ChangeResult(change, Status.DONE, None, NOT_YET_VISIBLE)
        raise error

    def _find(self, change: Change, waits: list[float]) -> str | None:
        """The id of the app's version with this exact versionString on this platform."""
        params = query(
            filters={"platform": change.platform.api, "versionString": change.version},
            fields={"appStoreVersions": ["platform", "versionString"]},
            limit=200,
        )
        for wait in [0.0, *waits]:
            if wait:
                self.sleep(wait)
            data, _ = self.client.collect(f"/v1/apps/{change.app_id}/appStoreVersions", params)
            for resource in data:
                version = parse_app_store_version(resource)
                # Apple's filters are not exact (R10): compare here.
                if (version.platform, version.version_string) == (
                    change.platform.api,
                    change.version,
                ):
                    return version.id
        return None

    def _update(self, change: Change) -> ChangeResult:
        assert change.version_id is not None
        path = f"/v1/appStoreVersions/{change.version_id}"
        body = version_update_body(change.version_id, _api(change.after or {}))
        try:
            self.client.patch(path, body)
        except AmbiguousWriteError:
            if not self._holds(path, change.after or {}):
                raise
            return ChangeResult(change, Status.DONE, change.version_id, "confirmed by reading back")
        return ChangeResult(change, Status.DONE, change.version_id)

    def _holds(self, path: str, wanted: Mapping[str, Any]) -> bool:
        """Whether the version now has every wanted attribute (after an unanswered PATCH)."""
        version = to_remote_version(parse_app_store_version(self.client.get(path).get("data")))
        now = remote_attributes(version)
        return all(now[k] == v for k, v in wanted.items())

    def _delete(self, change: Change) -> ChangeResult:
        assert change.version_id is not None
        self.client.delete(f"/v1/appStoreVersions/{change.version_id}")
        return ChangeResult(change, Status.DONE, change.version_id)


def _says_it_exists(error: ApiError) -> bool:
    """A 409 meaning a version with this string (E2), or one in flight (E1), exists. The plan
    makes a create only where no version is editable or in flight, so after a lost answer
    either means that our first try landed."""
    return error.status == 409 and (error.has_code(DUPLICATE) or error.has_code(ONE_VERSION))


def _created_id(document: Mapping[str, Any]) -> str | None:
    """The new version's id from a create's answer; None when the answer carries none (it is
    then treated as lost: read back, never assumed)."""
    data = document.get("data")
    rid = data.get("id") if isinstance(data, Mapping) else None
    return rid if isinstance(rid, str) and rid else None


def _api(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Manifest-named, normalised attributes -> the API's names and values."""
    out: dict[str, Any] = {}
    for name, value in attributes.items():
        if name == "release_type" and value is not None:
            value = value.upper()
        out[_API_NAMES[name]] = value
    return out
