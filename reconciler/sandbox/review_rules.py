"""What a review submission does to its versions, for the API (review.py) and for `advance`.

Version states as a submission moves (FACTS-2 §12, R26-R28):

    item added         PREPARE_FOR_SUBMISSION | *_REJECTED | INVALID_BINARY -> READY_FOR_REVIEW
                       (at once, or after `ready-delay` reads: Apple's processing, R28)
    submitted          READY_FOR_REVIEW -> WAITING_FOR_REVIEW (submission WAITING_FOR_REVIEW)
    resubmitted        REJECTED | METADATA_REJECTED -> WAITING_FOR_REVIEW (UNRESOLVED_ISSUES ->
                       WAITING_FOR_REVIEW, in place, no new item)
    item removed       READY_FOR_REVIEW -> the state it had when added
    cancel completed   WAITING_FOR_REVIEW | IN_REVIEW -> DEVELOPER_REJECTED, READY_FOR_REVIEW ->
                       the state it had when added, a rejected one stays; items REMOVED

`ReviewTimers` holds the two delays: a version added reads as READY_FOR_REVIEW from the
`ready_delay`-th GET on (0: at once), a cancelled submission reads as COMPLETE from the
`cancel_delay`-th GET on (1: the next read). Timers live in memory; a state file loaded by
another process settles what was pending on its first GET.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reconciler.sandbox import review_errors
from reconciler.sandbox.errors import ApiProblem
from reconciler.sandbox.state import SandboxState, VersionRecord, format_instant
from reconciler.sandbox.submissions import ReviewItemRecord, ReviewSubmissionRecord

__all__ = [
    "ADDABLE",
    "ReviewTimers",
    "complete_cancel",
    "incomplete",
    "move",
    "submit",
]

Json = dict[str, Any]

# Where a version can be added to a submission: fastlane's edit states but WAITING_FOR_REVIEW
# (already submitted).
ADDABLE = frozenset(
    {
        "PREPARE_FOR_SUBMISSION",
        "DEVELOPER_REJECTED",
        "REJECTED",
        "METADATA_REJECTED",
        "INVALID_BINARY",
    }
)
_REQUIRED_TEXTS = {
    "description": "description",
    "keywords": "keywords",
    "supportUrl": "support_url",
}


def move(version: VersionRecord, state: str) -> None:
    """Change a version's state for an item: entering or leaving a submission that was never
    submitted does not make the version "ever submitted" (it may still be deleted)."""
    was = version.submitted
    version.set_state(state)
    if state in ("READY_FOR_REVIEW", "PREPARE_FOR_SUBMISSION"):
        version.submitted = was


def incomplete(state: SandboxState, version: VersionRecord) -> ApiProblem | None:
    """E17: what the version lacks for review, every problem at once, keyed by resource path:
    a VALID build; description, keywords and supportUrl in every locale; whatsNew in every
    locale of an update (not the platform's first version, R15/R16)."""
    associated: dict[str, list[Json]] = {}
    build = state.builds.get(version.build_id or "")
    if build is None:
        associated[f"/v1/appStoreVersions/{version.id}"] = [review_errors.build_required()]
    elif build.processing_state != "VALID":
        associated[f"/v1/builds/{build.id}"] = [review_errors.build_not_valid()]
    first = len(state.versions(version.app_id, version.platform)) == 1
    wanted = dict(_REQUIRED_TEXTS) if first else {**_REQUIRED_TEXTS, "whatsNew": "whats_new"}
    for localization in state.localizations_of(version.id):
        missing = [name for name, attr in wanted.items() if not getattr(localization, attr)]
        if missing:
            associated[f"/v1/appStoreVersionLocalizations/{localization.id}"] = [
                review_errors.localization_attribute_required(name) for name in missing
            ]
    if not associated:
        return None
    return review_errors.version_cannot_be_reviewed(version.id, associated)


def submit(state: SandboxState, submission: ReviewSubmissionRecord, now: datetime) -> None:
    """Send a submission (new, or UNRESOLVED_ISSUES again) to review: it and its versions
    WAITING_FOR_REVIEW, rejected items back to READY_FOR_REVIEW, submittedDate now."""
    for item in state.reviews.live_items(submission.id):
        item.state = "READY_FOR_REVIEW"
        state.version_records[item.version_id].set_state("WAITING_FOR_REVIEW")
    submission.state = "WAITING_FOR_REVIEW"
    submission.submitted_date = format_instant(now)


def complete_cancel(state: SandboxState, submission: ReviewSubmissionRecord) -> None:
    """A cancelled submission is done: COMPLETE, its items REMOVED, its versions free."""
    for item in state.reviews.live_items(submission.id):
        version = state.version_records.get(item.version_id)
        if version is not None:
            _free(version, item)
        item.state = "REMOVED"
    submission.state = "COMPLETE"


def _free(version: VersionRecord, item: ReviewItemRecord) -> None:
    # Removed from review by the developer: App Store Connect's DEVELOPER_REJECTED.
    if version.app_version_state in ("WAITING_FOR_REVIEW", "IN_REVIEW"):
        version.set_state("DEVELOPER_REJECTED")
    elif version.app_version_state == "READY_FOR_REVIEW":
        move(version, item.version_state_before)
    # Otherwise it stays: a rejected version is freed as REJECTED, and one whose ready-delay
    # had not run out never left the state it had.


class ReviewTimers:
    """The pending moves of the two delays (see the module docstring)."""

    def __init__(self, ready_delay: int = 0, cancel_delay: int = 1) -> None:
        self.ready_delay = ready_delay
        self.cancel_delay = cancel_delay
        self._ready: dict[str, int] = {}  # version id -> GETs left
        self._cancel: dict[str, int] = {}  # submission id -> GETs left

    def item_added(self, state: SandboxState, version: VersionRecord) -> None:
        if self.ready_delay <= 0:
            move(version, "READY_FOR_REVIEW")
        else:
            self._ready[version.id] = self.ready_delay

    def canceled(self, state: SandboxState, submission: ReviewSubmissionRecord) -> None:
        submission.state = "CANCELING"
        if self.cancel_delay <= 0:
            complete_cancel(state, submission)
        else:
            self._cancel[submission.id] = self.cancel_delay

    def tick(self, state: SandboxState) -> bool:
        """One GET: count it against each timer; settle what is due. True when state changed.
        What no timer holds is due: so a state file written mid-delay settles too."""
        self._ready = {k: n - 1 for k, n in self._ready.items() if n > 1}
        self._cancel = {k: n - 1 for k, n in self._cancel.items() if n > 1}
        changed = False
        for submission in state.reviews.submissions.values():
            if submission.state == "CANCELING" and submission.id not in self._cancel:
                complete_cancel(state, submission)
                changed = True
            elif submission.state == "READY_FOR_REVIEW":
                changed |= self._settle_ready(state, submission)
        return changed

    def _settle_ready(self, state: SandboxState, submission: ReviewSubmissionRecord) -> bool:
        changed = False
        for item in state.reviews.live_items(submission.id):
            version = state.version_records.get(item.version_id)
            if (
                version is not None
                and item.version_id not in self._ready
                and version.app_version_state in ADDABLE
            ):
                move(version, "READY_FOR_REVIEW")
                changed = True
        return changed
