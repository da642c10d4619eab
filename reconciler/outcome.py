"""What apply did: one result per change, as plain values. Pure (render.py shows them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reconciler.plan import Action, Change, Deferral, PlanProblem

__all__ = ["ApplyResult", "ChangeResult", "FailureInfo", "Status"]


class Status(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    DEFERRED = "deferred"


@dataclass(frozen=True)
class FailureInfo:
    """Why a change failed: the HTTP status (0 when there was no answer), Apple's codes, and
    the message the user reads."""

    message: str
    status: int = 0
    codes: tuple[str, ...] = ()
    fatal: bool = False  # every later request would fail too (credentials rejected)


@dataclass(frozen=True)
class ChangeResult:
    change: Change
    status: Status
    resource_id: str | None = None  # the id of what the change wrote (the version, for a version)
    note: str = ""  # how it ended, in words (e.g. "confirmed by reading back")
    failure: FailureInfo | None = None


@dataclass(frozen=True)
class ApplyResult:
    results: tuple[ChangeResult, ...] = ()
    deferred: tuple[Deferral, ...] = ()
    errors: tuple[PlanProblem, ...] = ()  # the plan's errors: nothing was tried for them
    interrupted: bool = False

    def count(self, status: Status, action: Action | None = None) -> int:
        return sum(
            1
            for r in self.results
            if r.status is status and (action is None or r.change.action is action)
        )

    @property
    def failed(self) -> bool:
        return any(r.status is Status.FAILED for r in self.results)
