"""The plan: what apply would do, as frozen values in a total order. Pure.

A `Change` is one write of one resource of a kind (`reconciler.kinds`). `before` / `after`
hold the kind's manifest-named attributes with normalised values (dates in UTC, `...Z`):
- create: before is None, after holds every managed attribute of the new resource;
- update: before and after hold only the attributes that change, old and new;
- delete: before holds the resource's attributes, after is None.
Within an app and platform, deletes go first (children before parents, so a create finds
room), then updates and creates, kind by kind (parents before children, so a child can use
the id of a parent made in the same run).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, computed_field, field_serializer, field_validator

from reconciler.kinds import ORDER
from reconciler.manifest import Platform
from reconciler.state import digest

__all__ = [
    "Action",
    "Change",
    "Deferral",
    "Plan",
    "PlanItem",
    "PlanProblem",
    "Target",
    "platform_order",
]


class Action(StrEnum):
    """What a change does; `symbol` is how text output marks it."""

    DELETE = "delete"
    UPDATE = "update"
    CREATE = "create"

    @property
    def symbol(self) -> str:
        return {"delete": "-", "update": "~", "create": "+"}[self.value]

    @property
    def rank(self) -> int:
        # Deletes go first, so a create on the same platform finds room (R1).
        return ["delete", "update", "create"].index(self.value)


def platform_order(platform: Platform) -> int:
    return list(Platform).index(platform)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Target(NamedTuple):
    """What `--target` names: an app, or one platform of it. Shown as `bundle_id[:platform]`."""

    bundle_id: str
    platform: Platform | None = None

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.platform.value}" if self.platform else self.bundle_id

    @classmethod
    def parse(cls, text: str) -> Target:
        """Read back what `str()` wrote (a saved plan's targets)."""
        bundle_id, _, platform = text.partition(":")
        return cls(bundle_id, Platform(platform) if platform else None)


class Change(_Frozen):
    """One write: a POST (create), PATCH (update) or DELETE of one resource of `kind`.

    `version` is the version string of the version the resource belongs to (the version's own
    key; for a delete, the deleted one) and `version_id` that version's id (None while it is
    to be created): every kind hangs off a version of one app and platform. For what hangs
    off a version, `key` tells apart several of one kind (a localization's locale) and
    `resource_id` is the id of the resource written (an existing localization or phased
    release; for the build, the build to attach)."""

    kind: str = "version"
    app: str  # bundle id
    app_id: str  # Apple's id of the app
    platform: Platform
    action: Action
    version: str
    version_id: str | None = None
    key: str | None = None
    resource_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in ORDER:
            raise ValueError(f"not a kind this reconciler manages (one of {', '.join(ORDER)})")
        return value

    @property
    def written_id(self) -> str | None:
        """The id of what the change writes, as far as the plan knows it: the version's for a
        version, else the child's (for a build, the build attached; None for a create)."""
        return self.version_id if self.kind == "version" else self.resource_id

    def sort_key(self) -> tuple[str, int, bool, int, int, str, str]:
        # Deletes first, children before parents; then the rest parents before children, so a
        # child (a build attached: an update) follows the create of its version.
        rank = ORDER.index(self.kind)
        deleting = self.action is Action.DELETE
        return (
            self.app,
            platform_order(self.platform),
            not deleting,
            -rank if deleting else rank,
            self.action.rank,
            self.version,
            self.key or "",
        )


class Deferral(_Frozen):
    """Something that cannot be done yet and will be by a later run, by itself: a version
    whose platform has another version in flight (`waiting_on*` name that version), or, for
    another kind, what `reason` says (a build still processing) until `until` holds."""

    kind: str = "version"
    app: str
    platform: Platform
    version: str
    waiting_on: str = ""  # the version string of the version in flight
    waiting_on_id: str = ""
    waiting_on_state: str = ""
    reason: str = ""
    until: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        rank = ORDER.index(self.kind) if self.kind in ORDER else len(ORDER)
        return (self.app, platform_order(self.platform), rank, self.version, self.reason)


class PlanProblem(_Frozen):
    """A desired state that cannot be reached; `rule` names the rule, `message` what to do."""

    app: str
    platform: Platform | None = None
    version: str | None = None
    rule: str
    message: str

    def sort_key(self) -> tuple[str, int, str, str]:
        order = platform_order(self.platform) if self.platform else -1
        return (self.app, order, self.rule, self.message)


PlanItem = Change | Deferral | PlanProblem


class Plan(_Frozen):
    """Changes, deferrals and problems, each sorted on construction so output is
    deterministic; `checksum` is derived from them. `targets` is None for a full plan, or
    what `--target` named for a partial one."""

    changes: tuple[Change, ...] = ()
    deferred: tuple[Deferral, ...] = ()
    errors: tuple[PlanProblem, ...] = ()
    targets: tuple[Target, ...] | None = None

    @field_validator("changes", "deferred", "errors", mode="after")
    @classmethod
    def _sorted(cls, items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(sorted(items, key=lambda item: item.sort_key()))

    @field_validator("targets", mode="before")
    @classmethod
    def _read_targets(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(Target.parse(t) if isinstance(t, str) else t for t in value)
        return value

    @field_serializer("targets")
    def _show_targets(self, targets: tuple[Target, ...] | None) -> list[str] | None:
        return sorted(str(t) for t in targets) if targets is not None else None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented spelling
    @cached_property
    def checksum(self) -> str:
        """A digest of the plan's content (not of the checksum itself). Computed once: the plan
        is frozen, and output and apply ask for it again (a full dump of the plan each time)."""
        return digest(self.model_dump(mode="json", exclude={"checksum"}))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with `update` applied must not keep the original's cached checksum."""
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("checksum", None)
        return copy

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    @property
    def has_writes(self) -> bool:
        return bool(self.changes)

    def summary(self) -> dict[str, int]:
        return {
            "create": self.count(Action.CREATE),
            "update": self.count(Action.UPDATE),
            "delete": self.count(Action.DELETE),
            # Submissions and releases are creates, counted again on their own.
            "submit": sum(1 for c in self.changes if c.kind == "submission"),
            "release": sum(1 for c in self.changes if c.kind == "release"),
            "deferred": len(self.deferred),
            "errors": len(self.errors),
        }
