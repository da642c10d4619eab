"""apply_plan(plan, client) -> ApplyResult: make exactly the plan's writes, one request each.

A create whose answer was lost is settled in seconds, not by waiting (the README says why this
is safe): it is read back once at once and, if absent, sent again at once. Apple keeps at most
one version in flight per platform (R1) and never takes a version string twice (R2), so a
second POST can never make a second version: 201 means the first never landed; a 409 with the
duplicate (E2) or one-version (E1) code means it did. Its id is then looked up with short reads
bounded by `ReadBack` (Apple can hide a new version for a while, R9); if it stays hidden, the
change is done, "created; not yet visible". A failure stays with its app and platform; later
changes of the same app and platform are skipped. `stop()` is asked between changes (Ctrl-C).

What to send is the kind's business (`kind.request`, `lookup`, `holds`, `exists_codes`); here
is only how to send it and what to do when an answer is lost, the same for every kind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from reconciler.asc import AscClient
from reconciler.errors import (
    AmbiguousWriteError,
    ApiError,
    AscError,
    CredentialsRejectedError,
)
from reconciler.kinds import (
    Done,
    Kind,
    Lookup,
    Refuse,
    Request,
    Steps,
    VersionNotMade,
    Wait,
    created_key,
    kind,
    resource_id_of,
)
from reconciler.manifest import Platform
from reconciler.outcome import ApplyResult, ChangeResult, FailureInfo, Status
from reconciler.plan import Action, Change, Plan
from reconciler.pool import run_bounded

__all__ = ["NOT_YET_VISIBLE", "Budget", "ReadBack", "apply_plan", "failure_info"]

# A create is sent at most this often, each time only after a read-back found nothing.
CREATE_ATTEMPTS = 5
# Reads and writes of one operation (a submission: three writes, waits between them).
OPERATION_STEPS = 16
NOT_YET_VISIBLE = "created; not yet visible (App Store Connect confirmed it exists)"


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


@dataclass(frozen=True)
class Budget:
    """What to do when the hourly budget runs low mid-run (`reserve` requests or fewer left):
    stop starting writes, or, with `wait`, pause `pause` seconds (telling `on_wait`) and go on.
    Either way the run never turns a spent budget into a storm of 429s."""

    wait: bool = False
    reserve: int = 0
    pause: float = 60.0
    on_wait: Callable[[float], None] = lambda _: None


def apply_plan(
    plan: Plan,
    client: AscClient,
    *,
    on_result: Callable[[ChangeResult], None] = lambda _: None,
    stop: Callable[[], bool] = lambda: False,
    read_back: ReadBack = ReadBack(),
    sleep: Callable[[float], None] = time.sleep,
    parallelism: int = 1,
    budget: Budget = Budget(),
) -> ApplyResult:
    """Apply every change of `plan`. The changes of one app and platform run in plan order
    (deletes first, parents before children); up to `parallelism` apps and platforms run at
    once. `on_result` sees every result in plan order, whatever order they finish in."""
    run = _Run(plan, _Writer(client, read_back, sleep), on_result, stop, budget, client, sleep)
    if parallelism > 1:
        run.limit = _AdaptiveLimit(parallelism)
    # Each chain asks `stop` before each of its changes, so the pool itself never stops early.
    run_bounded([partial(run.chain, chain) for chain in _chains(plan.changes)], parallelism)
    # Ctrl-C while every change was already under way still ends as an interrupted run.
    interrupted = run.interrupted or stop()
    return ApplyResult(tuple(run.in_order()), plan.deferred, plan.errors, interrupted)


def _chains(changes: tuple[Change, ...]) -> list[list[tuple[int, Change]]]:
    """The plan's changes by app and platform, each list in plan order, lists in plan order."""
    chains: dict[tuple[str, Platform], list[tuple[int, Change]]] = {}
    for index, change in enumerate(changes):
        chains.setdefault((change.app, change.platform), []).append((index, change))
    return list(chains.values())


class _AdaptiveLimit:
    """At most `limit` changes at once. Each 429 (Apple's short-term burst limit, or the hourly
    one) lowers the limit by one for the rest of the run, down to half the parallelism asked
    for: back-off and Retry-After take care of the rest, and a spent hourly budget is the
    Budget's business."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.floor = max(1, limit // 2)
        self.active = 0
        self.seen_429 = 0
        self._ready = threading.Condition()

    def __enter__(self) -> None:
        with self._ready:
            self._ready.wait_for(lambda: self.active < self.limit)
            self.active += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._ready:
            self.active -= 1
            self._ready.notify_all()

    def throttled(self, count: int) -> None:
        """The client has seen `count` 429s in all; lower the limit once for each new one."""
        with self._ready:
            while self.seen_429 < count:
                self.seen_429 += 1
                self.limit = max(self.floor, self.limit - 1)


class _Run:
    """The shared state of one apply: results by plan index, emitted in order; why later
    changes are skipped (interrupted, a rejected key, a spent budget)."""

    def __init__(
        self,
        plan: Plan,
        writer: _Writer,
        on_result: Callable[[ChangeResult], None],
        stop: Callable[[], bool],
        budget: Budget,
        client: AscClient,
        sleep: Callable[[float], None],
    ) -> None:
        self.writer, self.on_result, self.stop = writer, on_result, stop
        self.budget, self.client, self.sleep = budget, client, sleep
        self.results: list[ChangeResult | None] = [None] * len(plan.changes)
        self.emitted = 0
        self.interrupted = False
        self.halted = ""  # why every change not yet started is skipped
        self.limit: _AdaptiveLimit | None = None
        self._lock = threading.Lock()
        self._waiting = threading.Lock()

    def chain(self, chain: list[tuple[int, Change]]) -> None:
        blocked = ""  # a failure stays with its app and platform
        for index, change in chain:
            outcome = self._skipped(change, blocked)
            if outcome is None:
                outcome = self._write(change)
            if outcome.status is Status.FAILED:
                blocked = f"an earlier change of {change.app} failed"
                if outcome.failure is not None and outcome.failure.fatal:
                    self.halted = "App Store Connect rejected the credentials"
            self._record(index, outcome)

    def _skipped(self, change: Change, blocked: str) -> ChangeResult | None:
        with self._lock:
            self.interrupted = self.interrupted or self.stop()
            if self.interrupted:
                return ChangeResult(change, Status.SKIPPED, note="interrupted before it started")
        why = self.halted or blocked or self._budget_spent()
        return ChangeResult(change, Status.SKIPPED, note=why) if why else None

    def _budget_spent(self) -> str:
        """Empty while there is budget (or after waiting for it); else why nothing starts."""
        rate = self.client.rate_limit
        if rate is None or rate.remaining > self.budget.reserve:
            return ""
        if not self.budget.wait:
            self.halted = (
                f"the hourly request budget ran out ({rate.remaining} left): run apply again "
                "later, or pass --wait-for-budget"
            )
            return self.halted
        with self._waiting:  # one thread waits and probes; the others wait for it
            # One small request per pause learns what is left: a spent budget costs one
            # request a minute, not a storm of 429s.
            while rate is not None and rate.remaining <= self.budget.reserve:
                self.budget.on_wait(self.budget.pause)
                self.sleep(self.budget.pause)
                rate = self.client.probe_budget()
        return ""

    def _write(self, change: Change) -> ChangeResult:
        if self.limit is None:
            return self.writer.write(change)
        with self.limit:
            outcome = self.writer.write(change)
        self.limit.throttled(self.client.throttled)
        return outcome

    def _record(self, index: int, outcome: ChangeResult) -> None:
        with self._lock:
            self.results[index] = outcome
            while self.emitted < len(self.results):
                ready = self.results[self.emitted]
                if ready is None:
                    break
                self.on_result(ready)
                self.emitted += 1

    def in_order(self) -> list[ChangeResult]:
        return [r for r in self.results if r is not None]


class _Writer:
    def __init__(self, client: AscClient, read_back: ReadBack, sleep: Callable[[float], None]):
        self.client = client
        self.read_back = read_back
        self.sleep = sleep
        self.ids: dict[str, str] = {}  # created_key() of each version this run made -> its id
        # What Apple made with each version made in this run, by the list path, read once
        # (each app and platform is one chain, so no two threads share an entry).
        self.made_with_versions: dict[str, Sequence[Mapping[str, Any]]] = {}

    def write(self, change: Change) -> ChangeResult:
        of_kind = kind(change.kind)
        try:
            if of_kind.operates:  # several writes, each decided by the kind as it goes
                return self._operate(of_kind, change)
            request = of_kind.request(change, self.ids)
        except VersionNotMade:  # the version it belongs to was made, but is not listed yet
            return ChangeResult(change, Status.FAILED, failure=_not_visible(change, of_kind))
        except AscError as error:
            return ChangeResult(change, Status.FAILED, failure=failure_info(error))
        try:
            if change.action is Action.CREATE:
                result = self._create(of_kind, change, request)
                if change.kind == "version" and result.resource_id:
                    self.ids[created_key(change)] = result.resource_id
                return result
            if change.action is Action.UPDATE:
                return self._update(of_kind, change, request)
            self.client.delete(request.path)
            return ChangeResult(change, Status.DONE, change.written_id)
        except AscError as error:
            failure = failure_info(error)
            return ChangeResult(change, Status.FAILED, change.written_id, failure=failure)

    def _operate(self, of_kind: Kind, change: Change) -> ChangeResult:
        """Several writes (a submission's three steps): read, ask the kind what to do, do it,
        until it is done. A lost answer needs nothing special (the next read shows whether it
        landed); waits for Apple add up to at most the read-back bound."""
        assert isinstance(of_kind, Steps)
        sent: list[Request] = []
        waited, bound = 0.0, sum(self.read_back.waits())
        for _ in range(OPERATION_STEPS):
            lookups = of_kind.observe(change, self.ids)
            seen = {name: self._read(lookup) for name, lookup in lookups.items()}
            step = of_kind.next_step(change, self.ids, seen, sent)
            if isinstance(step, Done):
                return ChangeResult(change, Status.DONE, step.resource_id, step.note)
            if isinstance(step, Refuse):
                return ChangeResult(change, Status.FAILED, failure=FailureInfo(step.message))
            if isinstance(step, Wait):
                if waited + step.seconds > bound:
                    message = f"{step.why} after {waited:.0f} s: run apply again later"
                    return ChangeResult(change, Status.FAILED, failure=FailureInfo(message))
                self.sleep(step.seconds)
                waited += step.seconds
                continue
            sent.append(step.request)
            try:
                self._send(step.request)
            except AmbiguousWriteError:
                continue  # read again: it shows whether the write landed
            except ApiError as error:
                pause = of_kind.retry_after(error, sent)
                if pause is None or waited + pause > bound:
                    raise
                self.sleep(pause)
                waited += pause
        failure = FailureInfo(f"{of_kind.noun} did not finish in {OPERATION_STEPS} steps")
        return ChangeResult(change, Status.FAILED, failure=failure)

    def _send(self, request: Request) -> None:
        if request.method == "POST":
            self.client.post(request.path, request.body or {})
        elif request.method == "PATCH":
            self.client.patch(request.path, request.body or {})
        else:
            self.client.delete(request.path)

    def _create(self, of_kind: Kind, change: Change, request: Request) -> ChangeResult:
        if of_kind.adopts and change.version_id is None:
            # Apple makes these with a version made earlier in this run (R18): look first,
            # reading the new version's list once for all its changes of this kind.
            lookup = of_kind.lookup(change, self.ids)
            made = self.made_with_versions.get(lookup.path) or self._read(lookup)
            if made:  # Apple makes at least one; none yet is not yet visible (R9): ask again
                self.made_with_versions[lookup.path] = made
            found = lookup.find(made)
            if found is not None:
                return self._settle(of_kind, change, found, "made by App Store Connect")
        lost: AscError | None = None  # why the last answer told us nothing
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                created_id = _created_id(self.client.post(request.path, request.body or {}))
            except AmbiguousWriteError as error:
                lost = error
            except ApiError as error:
                if not (error.status == 409 and any(map(error.has_code, of_kind.exists_codes))):
                    raise
                return self._exists(of_kind, change, error, earlier_lost=lost is not None)
            else:
                if created_id is not None:
                    note = f"sent {attempt} times: earlier answers were lost" if attempt > 1 else ""
                    if of_kind.confirms:
                        return self._confirm(of_kind, change, created_id, note)
                    return ChangeResult(change, Status.DONE, created_id, note)
                lost = AmbiguousWriteError("POST", request.path, "no data.id in the answer")
            # The answer was lost: one read at once; if absent, send again at once (R1, R2).
            found = self._find(of_kind, change, waits=[])
            if found is not None:
                return self._settle(of_kind, change, found, "confirmed by reading back")
        assert lost is not None
        raise lost

    def _confirm(self, of_kind: Kind, change: Change, created_id: str, note: str) -> ChangeResult:
        """Read what a create did until it shows (a release request shows in the version's
        state); done either way, since Apple took the request, but the note says which."""
        found = self._find(of_kind, change, waits=self.read_back.waits())
        seen = "confirmed by reading back" if found is not None else "not shown yet when read back"
        return ChangeResult(change, Status.DONE, created_id, "; ".join(filter(None, [note, seen])))

    def _exists(
        self, of_kind: Kind, change: Change, error: ApiError, *, earlier_lost: bool
    ) -> ChangeResult:
        """Apple says it is there. After a lost answer that is our first try: find its id, or
        report it done but hidden. On a first try it is ours only if it can be found (an
        earlier run made it, or Apple did with the version); otherwise the refusal stands."""
        found = self._find(of_kind, change, waits=self.read_back.waits())
        if found is not None:
            note = "an earlier try landed (read back)" if earlier_lost else "it already existed"
            return self._settle(of_kind, change, found, note)
        if earlier_lost:
            return ChangeResult(change, Status.DONE, None, NOT_YET_VISIBLE)
        raise error

    def _settle(
        self, of_kind: Kind, change: Change, found: Mapping[str, Any], note: str
    ) -> ChangeResult:
        """A create found its resource there: make it hold the change's values."""
        found_id = resource_id_of(found)
        patch = of_kind.settle(change, found)
        if patch is None:
            return ChangeResult(change, Status.DONE, found_id, note)
        self._patch(of_kind, change, patch)
        return ChangeResult(change, Status.DONE, found_id, f"{note}; updated")

    def _find(self, of_kind: Kind, change: Change, waits: list[float]) -> Mapping[str, Any] | None:
        """What the change wrote, reading the kind's lookup after each wait."""
        lookup = of_kind.lookup(change, self.ids)
        for wait in [0.0, *waits]:
            if wait:
                self.sleep(wait)
            found = lookup.find(self._read(lookup))
            if found is not None:
                return found
        return None

    def _read(self, lookup: Lookup) -> Sequence[Mapping[str, Any]]:
        if not lookup.to_one:
            resources, _ = self.client.collect(lookup.path, lookup.params)
            return resources
        try:
            data = _resource(self.client.get(lookup.path, lookup.params))
        except ApiError as error:
            if error.status != 404:  # "none" is `data: null`, or a 404 (FACTS-2 R22)
                raise
            return []
        return [data] if data else []

    def _update(self, of_kind: Kind, change: Change, request: Request) -> ChangeResult:
        if self._patch(of_kind, change, request):
            return ChangeResult(change, Status.DONE, change.written_id, "confirmed by reading back")
        return ChangeResult(change, Status.DONE, change.written_id)

    def _patch(self, of_kind: Kind, change: Change, request: Request) -> bool:
        """Send a PATCH; if its answer is lost, read back: done only if the resource now holds
        every wanted value. True when it took the read back to know."""
        try:
            self.client.patch(request.path, request.body or {})
        except AmbiguousWriteError:
            found = self._find(of_kind, change, waits=[])
            if found is None or not of_kind.holds(change, found):
                raise
            return True
        return False


def _not_visible(change: Change, of_kind: Kind) -> FailureInfo:
    return FailureInfo(
        f"version {change.version} was created but is not visible yet, so its "
        f"{of_kind.noun} could not be written: run apply again in a few minutes"
    )


def _created_id(document: Mapping[str, Any]) -> str | None:
    """The new resource's id from a create's answer; None when the answer carries none (it is
    then treated as lost: read back, never assumed)."""
    return resource_id_of(_resource(document))


def _resource(document: Mapping[str, Any]) -> Mapping[str, Any]:
    data = document.get("data")
    return data if isinstance(data, Mapping) else {}
