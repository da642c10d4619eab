"""run_bounded: order, the bound, stopping, errors and Ctrl-C. Threads are made to wait on
events, never on time, so each case is exact."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from reconciler.pool import Stopped, run_bounded


class Gauge:
    """Counts tasks in flight and remembers the most ever at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.started: list[int] = []

    def task(self, index: int, gate: threading.Event | None = None) -> Callable[[], int]:
        def run() -> int:
            with self._lock:
                self.now += 1
                self.most = max(self.most, self.now)
                self.started.append(index)
            if gate is not None:
                assert gate.wait(5), "the test never opened the gate"
            with self._lock:
                self.now -= 1
            return index * 10

        return run


@pytest.mark.parametrize("limit", [1, 2, 8, 100])
def test_results_come_in_the_order_of_the_tasks(limit: int) -> None:
    gauge = Gauge()
    assert run_bounded([gauge.task(i) for i in range(40)], limit) == [i * 10 for i in range(40)]
    assert sorted(gauge.started) == list(range(40))


def test_the_last_task_may_finish_first_and_still_comes_last() -> None:
    first_may_finish = threading.Event()

    def slow() -> str:
        assert first_may_finish.wait(5)
        return "slow"

    def quick() -> str:
        first_may_finish.set()  # only once this one ran does the first finish
        return "quick"

    assert run_bounded([slow, quick], 2) == ["slow", "quick"]


def test_never_more_than_limit_in_flight() -> None:
    gauge = Gauge()
    gate = threading.Event()
    tasks = [gauge.task(i, gate) for i in range(30)]
    opener = threading.Timer(0.01, gate.set)  # lets the first three fill their slots
    opener.start()
    assert run_bounded(tasks, 3) == [i * 10 for i in range(30)]
    opener.join()
    assert gauge.most <= 3


def test_limit_one_runs_in_the_calling_thread() -> None:
    threads = run_bounded([threading.current_thread for _ in range(3)], 1)
    assert set(threads) == {threading.current_thread()}


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        run_bounded([lambda: 1], 0)


def test_an_empty_list_gives_an_empty_list() -> None:
    assert run_bounded([], 4) == []


@pytest.mark.parametrize("limit", [1, 4])
def test_stop_starts_nothing_more_and_keeps_what_finished(limit: int) -> None:
    done: list[int] = []

    def task(index: int) -> Callable[[], int]:
        def run() -> int:
            done.append(index)
            return index

        return run

    with pytest.raises(Stopped) as caught:
        run_bounded([task(i) for i in range(20)], limit, stop=lambda: len(done) >= 5)
    assert caught.value.results == {i: i for i in done}
    assert 5 <= len(done) < 20


def test_stop_after_everything_started_is_a_normal_result() -> None:
    assert run_bounded([lambda: 1, lambda: 2], 4, stop=lambda: False) == [1, 2]


@pytest.mark.parametrize("limit", [1, 4])
def test_the_earliest_failure_is_raised_after_the_others_finished(limit: int) -> None:
    gauge = Gauge()
    finished: list[int] = []

    def failing(index: int) -> Callable[[], int]:
        def run() -> int:
            raise RuntimeError(f"task {index}")

        return run

    def ok(index: int) -> Callable[[], int]:
        def run() -> int:
            finished.append(index)
            return gauge.task(index)()

        return run

    tasks = [ok(0), failing(1), failing(2), ok(3)] + [ok(i) for i in range(4, 50)]
    with pytest.raises(RuntimeError, match="task 1"):
        run_bounded(tasks, limit)
    assert gauge.now == 0  # nobody still running when the error came out
    assert len(finished) < 48  # and not everything was started after the failure


def test_ctrl_c_while_waiting_lets_running_tasks_finish() -> None:
    release = threading.Event()
    events: list[object] = []
    asked = 0

    def task(index: int) -> Callable[[], int]:
        def run() -> int:
            if index == 1:
                assert release.wait(5)
            events.append(index)
            return index

        return run

    def interrupt_on_the_third_ask() -> bool:
        nonlocal asked
        asked += 1
        if asked < 3:  # the first two start tasks 0 and 1; the third comes after 0 finished
            return False
        events.append("interrupt")
        threading.Timer(0.005, release.set).start()  # task 1 is still running: let it end
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_bounded([task(i) for i in range(10)], 2, stop=interrupt_on_the_third_ask)
    assert events == [0, "interrupt", 1]  # task 1 finished before the interrupt came out
