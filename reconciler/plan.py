"""The plan: what apply would do, as frozen values in a total order. Pure.

`Change.before` / `after` hold manifest-named attributes (`version`, `release_type`,
`earliest_release_date`, `copyright`) with normalised values (dates in UTC, `...Z`):
- create: before is None, after holds every managed attribute of the new version;
- update: before and after hold only the attributes that change, old and new;
- delete: before holds the version's attributes, after is None.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reconciler.manifest import Platform
from reconciler.state import digest

__all__ = ["Action", "Change", "Deferral", "Plan", "PlanError", "platform_order"]


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


class Change(_Frozen):
    """One write: a POST (create), PATCH (update) or DELETE of an App Store version."""

    app: str  # bundle id
    app_id: str  # Apple's id of the app
    platform: Platform
    action: Action
    version: str  # the versionString this change leads to (the deleted one for delete)
    version_id: str | None = None  # the remote version written; None for create
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.app, platform_order(self.platform), self.action.rank, self.version)


class Deferral(_Frozen):
    """A version that cannot be created yet: another version of the platform is in flight."""

    app: str
    platform: Platform
    version: str
    waiting_on: str  # versionString in flight
    waiting_on_id: str
    waiting_on_state: str

    def sort_key(self) -> tuple[str, int]:
        return (self.app, platform_order(self.platform))


class PlanError(_Frozen):
    """A desired state that cannot be reached; `rule` names the rule, `message` what to do."""

    app: str
    platform: Platform | None = None
    version: str | None = None
    rule: str
    message: str

    def sort_key(self) -> tuple[str, int, str]:
        order = platform_order(self.platform) if self.platform else -1
        return (self.app, order, self.rule)


class Plan(_Frozen):
    """Changes, deferrals and errors, each sorted on construction so output is deterministic.

    `targets` is None for a full plan, or the `bundle_id[:platform]` filters of a partial one.
    """

    changes: tuple[Change, ...] = ()
    deferred: tuple[Deferral, ...] = ()
    errors: tuple[PlanError, ...] = ()
    targets: tuple[str, ...] | None = None
    checksum: str = Field(default="", description="digest of the plan's content")

    @model_validator(mode="before")
    @classmethod
    def _sorted_and_checksummed(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("changes", "deferred", "errors"):
            items = [cls._as(key, item) for item in data.get(key, ())]
            data[key] = tuple(sorted(items, key=lambda item: item.sort_key()))
        body: dict[str, Any] = {
            k: [i.model_dump(mode="json") for i in data[k]]
            for k in ("changes", "deferred", "errors")
        }
        targets = data.get("targets")
        body["targets"] = list(targets) if targets is not None else None
        data["checksum"] = digest(body)
        return data

    @staticmethod
    def _as(key: str, item: Any) -> Any:
        models: dict[str, type[BaseModel]] = {
            "changes": Change,
            "deferred": Deferral,
            "errors": PlanError,
        }
        model = models[key]
        return item if isinstance(item, model) else model.model_validate(item)

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
            "deferred": len(self.deferred),
            "errors": len(self.errors),
        }
