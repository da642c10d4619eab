"""Review submissions and their items (FACTS-2 §8.1, §12): the records and their state-file form.

A submission belongs to one app and platform and holds items; the sandbox keeps version items
only. `ReviewBook` stores both, indexed by app and by version, and is the builder API for
tests (`state.reviews.add_submission`, `add_item`; no rule is checked). Ids are UUIDs from the
book's counters, so they are deterministic like every other sandbox id.

In the state file (format 1; absent in files written before submissions existed):

    app: {..., "reviewSubmissions": [{"id", "platform", "state", "submittedDate",
                                      "items": [{"id", "appStoreVersion", "state",
                                                 "versionStateBefore"}]}]}

`versionStateBefore` is the version's state when it was added: removing the item, or cancelling
a submission that was never submitted, puts the version back there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BLOCKING_STATES",
    "ITEM_STATES",
    "OPEN_STATES",
    "SUBMISSION_STATES",
    "ReviewBook",
    "ReviewItemRecord",
    "ReviewSubmissionRecord",
]

SUBMISSION_STATES = (
    "READY_FOR_REVIEW",
    "WAITING_FOR_REVIEW",
    "IN_REVIEW",
    "UNRESOLVED_ISSUES",
    "CANCELING",
    "COMPLETING",
    "COMPLETE",
)
ITEM_STATES = ("READY_FOR_REVIEW", "ACCEPTED", "APPROVED", "REJECTED", "REMOVED")
# Every state but COMPLETE holds its items: a version in one is "part of another submission"
# (E16).
OPEN_STATES = frozenset(SUBMISSION_STATES) - {"COMPLETE"}
# Of those, all but UNRESOLVED_ISSUES block a new submission for the app and platform (E15):
# an empty READY_FOR_REVIEW one too (R26, sceneview PR 2386), CANCELING and COMPLETING (the
# stricter reading). A create next to an UNRESOLVED_ISSUES one was captured succeeding (the
# report behind the captured E16: the item POST then failed).
BLOCKING_STATES = OPEN_STATES - {"UNRESOLVED_ISSUES"}
_NAMESPACE = uuid.UUID("5d2c8a7e-0f3b-4c61-9e2d-7b4a1c3e5f60")


@dataclass
class ReviewItemRecord:
    id: str
    submission_id: str
    version_id: str
    state: str = "READY_FOR_REVIEW"
    version_state_before: str = "PREPARE_FOR_SUBMISSION"


@dataclass
class ReviewSubmissionRecord:
    """`items` are item ids in the order they were added."""

    id: str
    app_id: str
    platform: str
    state: str = "READY_FOR_REVIEW"
    submitted_date: str | None = None
    items: list[str] = field(default_factory=list)


def _check(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


class ReviewBook:
    """Submissions by id (insertion order) and items by id."""

    def __init__(self) -> None:
        self.submissions: dict[str, ReviewSubmissionRecord] = {}
        self.items: dict[str, ReviewItemRecord] = {}
        self.next_submission_number = 1
        self.next_item_number = 1
        self.next_release_request_number = 1

    # --- builder API ----------------------------------------------------------------------

    def add_submission(
        self,
        app_id: str,
        platform: str = "IOS",
        state: str = "READY_FOR_REVIEW",
        *,
        submitted_date: str | None = None,
        submission_id: str | None = None,
    ) -> str:
        _check(state, SUBMISSION_STATES, "state")
        if submission_id is None:
            submission_id = self._next_id("reviewSubmissions")
        if submission_id in self.submissions:
            raise ValueError(f"review submission id {submission_id} already exists")
        self.submissions[submission_id] = ReviewSubmissionRecord(
            submission_id, app_id, platform, state, submitted_date
        )
        return submission_id

    def add_item(
        self,
        submission_id: str,
        version_id: str,
        state: str = "READY_FOR_REVIEW",
        *,
        version_state_before: str = "PREPARE_FOR_SUBMISSION",
        item_id: str | None = None,
    ) -> str:
        _check(state, ITEM_STATES, "state")
        submission = self.submissions[submission_id]
        if item_id is None:
            item_id = self._next_id("reviewSubmissionItems")
        if item_id in self.items:
            raise ValueError(f"review submission item id {item_id} already exists")
        self.items[item_id] = ReviewItemRecord(
            item_id, submission_id, version_id, state, version_state_before
        )
        submission.items.append(item_id)
        return item_id

    def remove_item(self, item_id: str) -> None:
        item = self.items.pop(item_id)
        self.submissions[item.submission_id].items.remove(item_id)

    def next_release_request_id(self) -> str:
        return self._next_id("appStoreVersionReleaseRequests")

    def _next_id(self, kind: str) -> str:
        attribute = {
            "reviewSubmissions": "next_submission_number",
            "reviewSubmissionItems": "next_item_number",
            "appStoreVersionReleaseRequests": "next_release_request_number",
        }[kind]
        taken = self.items if kind == "reviewSubmissionItems" else self.submissions
        while True:
            number = getattr(self, attribute)
            setattr(self, attribute, number + 1)
            candidate = str(uuid.uuid5(_NAMESPACE, f"{kind}/{number}"))
            if candidate not in taken:
                return candidate

    # --- queries --------------------------------------------------------------------------

    def of_app(self, app_id: str, platform: str | None = None) -> list[ReviewSubmissionRecord]:
        return [
            s
            for s in self.submissions.values()
            if s.app_id == app_id and (platform is None or s.platform == platform)
        ]

    def items_of(self, submission_id: str) -> list[ReviewItemRecord]:
        return [self.items[i] for i in self.submissions[submission_id].items]

    def live_items(self, submission_id: str) -> list[ReviewItemRecord]:
        """The items still in the submission (not REMOVED)."""
        return [i for i in self.items_of(submission_id) if i.state != "REMOVED"]

    def holding(self, version_id: str) -> ReviewItemRecord | None:
        """The live item of `version_id` in a submission that is still open, if any."""
        for item in self.items.values():
            if (
                item.version_id == version_id
                and item.state != "REMOVED"
                and self.submissions[item.submission_id].state in OPEN_STATES
            ):
                return item
        return None

    def version_for_review(self, submission_id: str) -> str | None:
        live = self.live_items(submission_id)
        return live[0].version_id if live else None

    # --- JSON -----------------------------------------------------------------------------

    def app_json(self, app_id: str) -> list[dict[str, Any]]:
        return [
            {
                "id": s.id,
                "platform": s.platform,
                "state": s.state,
                "submittedDate": s.submitted_date,
                "items": [
                    {
                        "id": i.id,
                        "appStoreVersion": i.version_id,
                        "state": i.state,
                        "versionStateBefore": i.version_state_before,
                    }
                    for i in self.items_of(s.id)
                ],
            }
            for s in self.of_app(app_id)
        ]

    def load_app(self, app_id: str, entries: list[dict[str, Any]], versions: set[str]) -> None:
        """Read one app's `reviewSubmissions`; an item must name a version of the file."""
        for entry in entries:
            unknown = set(entry) - {"id", "platform", "state", "submittedDate", "items"}
            if unknown:
                raise ValueError(f"unknown review submission keys: {', '.join(sorted(unknown))}")
            submission_id = self.add_submission(
                app_id,
                entry["platform"],
                entry.get("state", "READY_FOR_REVIEW"),
                submitted_date=entry.get("submittedDate"),
                submission_id=entry.get("id"),
            )
            for item in entry.get("items", []):
                if item["appStoreVersion"] not in versions:
                    raise ValueError(f"no version with id {item['appStoreVersion']}")
                self.add_item(
                    submission_id,
                    item["appStoreVersion"],
                    item.get("state", "READY_FOR_REVIEW"),
                    version_state_before=item.get("versionStateBefore", "PREPARE_FOR_SUBMISSION"),
                    item_id=item.get("id"),
                )

    def counters_json(self) -> dict[str, int]:
        return {
            "next_review_submission_number": self.next_submission_number,
            "next_review_item_number": self.next_item_number,
            "next_release_request_number": self.next_release_request_number,
        }

    def load_counters(self, data: dict[str, Any]) -> None:
        self.next_submission_number = max(
            self.next_submission_number, data.get("next_review_submission_number", 0)
        )
        self.next_item_number = max(self.next_item_number, data.get("next_review_item_number", 0))
        self.next_release_request_number = max(
            self.next_release_request_number, data.get("next_release_request_number", 0)
        )
