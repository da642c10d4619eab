"""run_bounded(tasks, limit): run independent callables with at most `limit` in flight.

A thin layer over `concurrent.futures.ThreadPoolExecutor` with the semantics both the reader
and the applier need, which a bare `executor.map` lacks:

- results come back in the order of `tasks`, whatever order they finish in;
- a task is started only when a slot is free, so `stop()` is asked before each start: once it
  says True, nothing more starts, the running ones finish, and `Stopped` is raised (with the
  results so far) if any task was left unstarted;
- the first failure starts nothing more either; once the running ones have finished, the error
  of the earliest failed task (in the order of `tasks`) is raised, as a sequential loop would;
- Ctrl-C (KeyboardInterrupt in the waiting thread) starts nothing more, waits for the running
  ones, and propagates: a request already sent is never abandoned half-way.

With `limit` 1 the tasks run in the calling thread, one after the other: no thread at all.
It does no I/O of its own and knows nothing of reconciler.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

__all__ = ["Stopped", "run_bounded"]

T = TypeVar("T")


class Stopped(Exception, Generic[T]):
    """`stop()` said True before every task had started; `results` maps the index of each
    task that finished to its result."""

    def __init__(self, results: dict[int, T]) -> None:
        super().__init__(f"stopped after {len(results)} tasks")
        self.results = results


def _never() -> bool:
    return False


def run_bounded(
    tasks: Sequence[Callable[[], T]], limit: int, *, stop: Callable[[], bool] = _never
) -> list[T]:
    """Each task's result, in the order of `tasks`; see the module docstring."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    if limit == 1 or len(tasks) <= 1:
        return _in_turn(tasks, stop)
    results: dict[int, T] = {}
    errors: dict[int, BaseException] = {}
    following = iter(enumerate(tasks))
    running: dict[Future[T], int] = {}
    with ThreadPoolExecutor(max_workers=min(limit, len(tasks))) as executor:
        try:
            while True:
                while len(running) < limit and not errors and not stop():
                    item = next(following, None)
                    if item is None:
                        break
                    running[executor.submit(item[1])] = item[0]
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    _settle(future, running.pop(future), results, errors)
        except BaseException:  # Ctrl-C while waiting: start nothing more, let them finish
            wait(running)
            raise
    if errors:
        raise errors[min(errors)]
    if len(results) < len(tasks):
        raise Stopped(results)
    return [results[index] for index in range(len(tasks))]


def _settle(
    future: Future[T], index: int, results: dict[int, T], errors: dict[int, BaseException]
) -> None:
    error = future.exception()
    if error is None:
        results[index] = future.result()
    else:
        errors[index] = error


def _in_turn(tasks: Sequence[Callable[[], T]], stop: Callable[[], bool]) -> list[T]:
    results: list[T] = []
    for task in tasks:
        if stop():
            raise Stopped(dict(enumerate(results)))
        results.append(task())
    return results
