"""Injected faults, from one spec string, deterministic for a given seed.

Grammar (items separated by commas, whitespace ignored):

    spec    := "" | item ("," item)*
    item    := "latency=" DURATION          every answer waits this long (N, Nms or Ns)
             | "error500=" WHEN             500 UNEXPECTED_ERROR
             | "error429=" WHEN             429 RATE_LIMIT_EXCEEDED, no Retry-After
             | "error429-retry-after=" WHEN ":" SECONDS    the same with Retry-After
             | "ambiguous-create=" WHEN     a create (any POST: version, localization, phased
                                            release) commits, then answers 500
             | "drop=" WHEN                 the connection drops without an answer; for a write,
                                            it drops after committing on a seeded coin toss
             | "invisible=" N               a new version or localization stays out of list
                                            reads (and included lists) for N reads
             | "budget=" N                  the hourly request budget (default 3500)
             | "ready-delay=" N             a version added to a review submission reads as
                                            READY_FOR_REVIEW from the N-th GET on (default 0:
                                            at once; R28)
             | "cancel-delay=" N            a cancelled review submission reads as COMPLETE
                                            from the N-th GET on (default 1: the next read)
             | "seed=" N                    seeds the random choices (default 0)
    WHEN    := K                            every K-th request (K-th, 2K-th, ...)
             | P "%"                        each request with probability P percent (seeded)

"Every K-th" counts every request the app receives, for each kind alike, except ambiguous-create,
which counts creates. When several fire on one request, the first of drop, error429,
error429-retry-after, error500 wins. Example:
`latency=50ms,error500=4,error429-retry-after=5:2,ambiguous-create=3,invisible=2,drop=7,seed=42`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

__all__ = ["FaultSpec", "FaultSpecError", "Faults", "When"]


class FaultSpecError(ValueError):
    """The fault spec string does not follow the grammar."""


@dataclass(frozen=True)
class When:
    """Every `every`-th event, or each with probability `percent`."""

    every: int = 0
    percent: float = 0.0

    def fires(self, count: int, rng: random.Random) -> bool:
        if self.every:
            return count % self.every == 0
        return rng.random() * 100 < self.percent


@dataclass(frozen=True)
class FaultSpec:
    latency_ms: int = 0
    error500: When | None = None
    error429: When | None = None
    error429_retry_after: tuple[When, int] | None = None
    ambiguous_create: When | None = None
    drop: When | None = None
    invisible: int = 0
    budget: int = 3500
    seed: int = 0
    ready_delay: int = 0
    cancel_delay: int = 1

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        values: dict[str, object] = {}
        for raw in (text or "").split(","):
            item = raw.strip()
            if not item:
                continue
            key, sep, value = (part.strip() for part in item.partition("="))
            if not sep or key not in _PARSERS:
                known = ", ".join(sorted(_PARSERS))
                raise FaultSpecError(
                    f"unknown fault {item!r}: expected one of {known} as key=value"
                )
            attribute, parse = _PARSERS[key]
            values[attribute] = parse(key, value)
        return cls(**values)  # type: ignore[arg-type]  # keys come from _PARSERS


_INT = re.compile(r"^[0-9]+$")


def _int(key: str, value: str, minimum: int = 0) -> int:
    if not _INT.match(value) or int(value) < minimum:
        raise FaultSpecError(f"{key}={value}: expected a whole number of at least {minimum}")
    return int(value)


def _when(key: str, value: str) -> When:
    if value.endswith("%"):
        try:
            percent = float(value[:-1])
        except ValueError:
            percent = -1.0
        if not 0 <= percent <= 100:
            raise FaultSpecError(f"{key}={value}: expected a percentage between 0% and 100%")
        return When(percent=percent)
    return When(every=_int(key, value, minimum=1))


def _retry_after(key: str, value: str) -> tuple[When, int]:
    when, sep, seconds = value.partition(":")
    if not sep:
        raise FaultSpecError(f"{key}={value}: expected WHEN:SECONDS, e.g. 5:2")
    return _when(key, when), _int(key, seconds)


def _latency(key: str, value: str) -> int:
    if value.endswith("ms"):
        return _int(key, value[:-2])
    if value.endswith("s"):
        return _int(key, value[:-1]) * 1000
    return _int(key, value)


_PARSERS = {
    "latency": ("latency_ms", _latency),
    "error500": ("error500", _when),
    "error429": ("error429", _when),
    "error429-retry-after": ("error429_retry_after", _retry_after),
    "ambiguous-create": ("ambiguous_create", _when),
    "drop": ("drop", _when),
    "invisible": ("invisible", lambda k, v: _int(k, v)),
    "budget": ("budget", lambda k, v: _int(k, v, minimum=1)),
    "seed": ("seed", lambda k, v: _int(k, v)),
    "ready-delay": ("ready_delay", lambda k, v: _int(k, v)),
    "cancel-delay": ("cancel_delay", lambda k, v: _int(k, v)),
}


class Faults:
    """The running state of a spec: counters, the seeded generator, versions kept from lists."""

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.requests = 0
        self.creates = 0
        self._invisible: dict[str, int] = {}

    def next_request(self) -> str | None:
        """Count a request; return the fault to inject before handling it, if any."""
        self.requests += 1
        spec, n = self.spec, self.requests
        if spec.drop and spec.drop.fires(n, self.rng):
            return "drop"
        if spec.error429 and spec.error429.fires(n, self.rng):
            return "error429"
        if spec.error429_retry_after and spec.error429_retry_after[0].fires(n, self.rng):
            return "error429-retry-after"
        if spec.error500 and spec.error500.fires(n, self.rng):
            return "error500"
        return None

    def drop_after_commit(self) -> bool:
        """For a dropped write: commit first (ambiguous) or not, on a seeded coin toss."""
        return self.rng.random() < 0.5

    def next_create(self) -> bool:
        """Count a create; true when it must commit and then answer 500 (R9)."""
        self.creates += 1
        when = self.spec.ambiguous_create
        return bool(when and when.fires(self.creates, self.rng))

    def created(self, version_id: str) -> None:
        if self.spec.invisible:
            self._invisible[version_id] = self.spec.invisible

    def hidden_for_list_read(self) -> set[str]:
        """The versions this list read must not show; counts the read against each."""
        hidden = {vid for vid, left in self._invisible.items() if left > 0}
        self._invisible = {vid: left - 1 for vid, left in self._invisible.items() if left > 1}
        return hidden
