"""apply_plan(plan, client) -> ApplyResult: make exactly the plan's writes, one request each.

A create whose answer was lost is never sent again blindly: the applier reads back first,
waiting for Apple's eventual consistency (FACTS R9), and sends it again only when the version
is still absent after every read. A failure stays with its app and platform; later changes of
the same app and platform are skipped. `stop()` is asked between changes (Ctrl-C).
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

__all__ = ["ReadBack", "apply_plan", "failure_info"]

# Apple's code for a versionString already used (FACTS E2), found in any entry.
DUPLICATE = "ENTITY_ERROR.ATTRIBUTE.INVALID.DUPLICATE"
# A create is sent at most this often, each time only after reading back found nothing.
CREATE_ATTEMPTS = 5
_API_NAMES = {
    "version": "versionString",
    "release_type": "releaseType",
    "earliest_release_date": "earliestReleaseDate",
    "copyright": "copyright",
}


@dataclass(frozen=True)
class ReadBack:
    """How long to look for a create whose answer was lost: `attempts` reads, waiting
    `first_wait` seconds before the second and doubling up to `max_wait` (fastlane waits
    longer; Apple's lag is usually seconds, and a rerun is always safe)."""

    attempts: int = 6
    first_wait: float = 2.0
    max_wait: float = 30.0

    @classmethod
    def within(cls, seconds: float) -> ReadBack:
        """As many reads as fit when the waits between them add up to at most `seconds`."""
        reads, total = 1, 0.0
        while total + min(cls.first_wait * 2 ** (reads - 1), cls.max_wait) <= seconds:
            total += min(cls.first_wait * 2 ** (reads - 1), cls.max_wait)
            reads += 1
        return cls(attempts=reads)

    def waits(self, extra: int = 0) -> list[float]:
        """Waits between reads; `extra` more reads on each later try: Apple's lag can be long."""
        count = self.attempts - 1 + extra
        return [min(self.first_wait * 2**i, self.max_wait) for i in range(count)]


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
        lost: AmbiguousWriteError | None = None
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                created = self._post(body)
            except AmbiguousWriteError as error:
                lost = error  # Apple may have made it: look before sending again (R9)
            except ApiError as error:
                # A duplicate (E2, in any entry) after a lost answer means our create landed.
                if not (error.has_code(DUPLICATE) and (lost or attempt == 1)):
                    raise
                found = self._find(change, waits=self.read_back.waits())
                if found:
                    note = "an earlier try landed (read back)" if lost else "it already existed"
                    return ChangeResult(change, Status.DONE, found, note)
                raise
            else:
                note = f"sent {attempt} times: earlier answers were lost" if attempt > 1 else ""
                return ChangeResult(change, Status.DONE, str(created["data"]["id"]), note)
            found = self._find(change, waits=self.read_back.waits(extra=attempt - 1))
            if found:
                return ChangeResult(change, Status.DONE, found, "confirmed by reading back")
        assert lost is not None
        raise lost

    def _post(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST a create. The client never retries a POST; a 429 is a clear "not done",
        so it alone is sent again here, after the read-back waits."""
        for wait in [*self.read_back.waits(), None]:
            try:
                return self.client.post("/v1/appStoreVersions", body)
            except ApiError as error:
                if error.status != 429 or wait is None:
                    raise
                self.sleep(wait)
        raise AssertionError("unreachable")

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
        version = to_remote_version(parse_app_store_version(self.client.get(path)["data"]))
        now = remote_attributes(version)
        return all(now[k] == v for k, v in wanted.items())

    def _delete(self, change: Change) -> ChangeResult:
        assert change.version_id is not None
        self.client.delete(f"/v1/appStoreVersions/{change.version_id}")
        return ChangeResult(change, Status.DONE, change.version_id)


def _api(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Manifest-named, normalised attributes -> the API's names and values."""
    out: dict[str, Any] = {}
    for name, value in attributes.items():
        if name == "release_type" and value is not None:
            value = value.upper()
        out[_API_NAMES[name]] = value
    return out
