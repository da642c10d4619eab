"""Managed resource kinds: one module per kind, registered here, parents before children.

A kind is the only place its fields live: manifest name and API name, how a remote value is
normalised for comparing, how a desired value is sent. It plans its own items from the
desired and remote state, describes each write as a `Request` value, and says how to find a
created resource again when the answer to its create was lost (`Lookup`). Kinds are pure;
the reader and the applier send what they describe.

Adding a kind: write `kinds/<name>.py` with a module-level `KIND`, add its name to `ORDER`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:  # the plan model orders changes by ORDER, so kinds load lazily (below)
    from reconciler.manifest import Platform, PlatformRelease
    from reconciler.plan import Change, PlanItem
    from reconciler.state import RemoteApp

__all__ = [
    "ORDER",
    "Done",
    "Field",
    "Kind",
    "Lookup",
    "Refuse",
    "Request",
    "Send",
    "Step",
    "Steps",
    "VersionNotMade",
    "Wait",
    "all_kinds",
    "created_key",
    "first_found",
    "jsonapi_body",
    "kind",
    "resource_id_of",
    "version_id_of",
]

# Parents first: creates and updates run in this order, deletes in the reverse.
ORDER: tuple[str, ...] = (
    "version",
    "localization",
    "build",
    "phased_release",
    "submission",
    "release",
)


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Field:
    """One managed attribute: its manifest name, Apple's name, and the two conversions
    (`from_api`: Apple's value -> the normalised manifest value; `to_api`: back)."""

    name: str
    api: str
    from_api: Callable[[Any], Any] = _same
    to_api: Callable[[Any], Any] = _same


@dataclass(frozen=True)
class Request:
    """A write as a value: method, path (relative to the API base) and JSON body."""

    method: Literal["POST", "PATCH", "DELETE"]
    path: str
    body: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Lookup:
    """How to find a created resource again: a list to read (or, with `to_one`, a to-one
    relationship whose `data` may be null), and `find`, which returns the resource in it that
    the change made, or None (Apple's filters are not exact)."""

    path: str
    params: Mapping[str, str]
    find: Callable[[Sequence[Mapping[str, Any]]], Mapping[str, Any] | None] = field(compare=False)
    to_one: bool = False


def first_found(resources: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """A `Lookup.find` for a to-one relationship: its resource, if there is one."""
    return resources[0] if resources else None


def created_key(change: Change) -> str:
    """How a run remembers the id of the version a change belongs to once it made it."""
    return f"version:{change.app}:{change.platform.value}:{change.version}"


class VersionNotMade(LookupError):
    """A change belongs to a version to be made in this run whose id is not known (its
    create is not done, or Apple confirmed it but does not list it yet)."""


def version_id_of(change: Change, ids: Mapping[str, str]) -> str:
    """The id of the version a change belongs to: known at plan time, or made earlier in
    this run (the applier runs a version's create before what hangs off it)."""
    if change.version_id is not None:
        return change.version_id
    made = ids.get(created_key(change))
    if made is None:
        raise VersionNotMade(created_key(change))
    return made


def resource_id_of(resource: Mapping[str, Any]) -> str | None:
    rid = resource.get("id")
    return rid if isinstance(rid, str) and rid else None


class Kind(Protocol):
    """What every kind module provides (as its module-level `KIND`)."""

    name: str  # as in ORDER and in Change.kind
    noun: str  # how output names one ("version")
    fields: tuple[Field, ...]
    # Apple's error codes (prefixes) that, answering a create, mean the resource is there.
    exists_codes: tuple[str, ...]
    # Whether Apple may make this kind by itself with a new version (localizations): a create
    # for a version made in the same run then reads first, and adopts what it finds.
    adopts: bool
    # Whether a create is read back after it succeeded, until the lookup finds what it did:
    # a release request cannot be read, its effect (the version's state) can (R29).
    confirms: bool
    # The word output uses for this kind's create instead of "create" ("release"), or None.
    verb: str | None
    # Whether its create is several writes that the applier runs as `Steps` (a submission).
    operates: bool
    # About how many requests one change costs, reads after it included (the budget line).
    cost: int

    def describe(self, change: Change) -> str:
        """What the change writes, in words after its action: "version 2.5.0",
        "localization de-DE of 2.5.0"."""
        ...

    def plan(
        self, app: RemoteApp, platform: Platform, spec: PlatformRelease | str
    ) -> list[PlanItem]:
        """Every change, deferral or problem of this kind for one app and platform."""
        ...

    def request(self, change: Change, ids: Mapping[str, str]) -> Request:
        """The write for `change`; `ids` maps parent keys created earlier in the run to ids."""
        ...

    def lookup(self, change: Change, ids: Mapping[str, str]) -> Lookup:
        """How to find what a create made when its answer was lost."""
        ...

    def holds(self, change: Change, resource: Mapping[str, Any]) -> bool:
        """Whether a resource read back holds every value the change wanted."""
        ...

    def settle(self, change: Change, resource: Mapping[str, Any]) -> Request | None:
        """For a create that found its resource already there (made by Apple, or by a try
        whose answer was lost): the write that makes it hold the change's values, or None."""
        ...


@dataclass(frozen=True)
class Send:
    """The next write of an operation."""

    request: Request


@dataclass(frozen=True)
class Wait:
    """Read again after `seconds`: Apple is still moving (a version on its way to
    READY_FOR_REVIEW, R28)."""

    seconds: float
    why: str


@dataclass(frozen=True)
class Done:
    note: str = ""
    resource_id: str | None = None


@dataclass(frozen=True)
class Refuse:
    """The operation cannot go on; `message` says why and what to do."""

    message: str


Step = Send | Wait | Done | Refuse


@runtime_checkable
class Steps(Protocol):
    """A kind whose create is several writes (`operates`): the applier reads what `observe`
    names, asks `next_step` what to do given what it read and what it sent so far, and does
    it, until Done or Refuse. A lost answer is no special case: the next read shows whether
    the write landed. Pure, like every kind."""

    def observe(self, change: Change, ids: Mapping[str, str]) -> Mapping[str, Lookup]:
        """What to read before each step, by name."""
        ...

    def next_step(
        self,
        change: Change,
        ids: Mapping[str, str],
        seen: Mapping[str, Sequence[Mapping[str, Any]]],
        sent: Sequence[Request],
    ) -> Step:
        """What to do now."""
        ...

    def retry_after(self, error: Any, sent: Sequence[Request]) -> float | None:
        """For an error answering the last write: seconds after which to read again and go
        on (Apple is not ready yet), or None (the error stands)."""
        ...


def jsonapi_body(
    type_: str,
    attributes: Mapping[str, Any],
    *,
    id_: str | None = None,
    relationships: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """A JSON:API request document; `relationships` maps a name to (type, id)."""
    data: dict[str, Any] = {"type": type_}
    if id_ is not None:
        data["id"] = id_
    data["attributes"] = dict(attributes)
    if relationships:
        data["relationships"] = {
            name: {"data": {"type": kind_, "id": rid}}
            for name, (kind_, rid) in relationships.items()
        }
    return {"data": data}


@cache
def all_kinds() -> tuple[Kind, ...]:
    """Every kind, in ORDER."""
    return tuple(importlib.import_module(f"reconciler.kinds.{name}").KIND for name in ORDER)


def kind(name: str) -> Kind:
    """The kind called `name`; KeyError for one this reconciler does not know."""
    for each in all_kinds():
        if each.name == name:
            return each
    raise KeyError(name)
