"""The benchmarks are not part of the suite, but they must keep up with the code they measure:
each one imports and runs its smallest case (a rename once broke one silently)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def _load(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # as when run as a script: shared modules
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        ("plan_requests", ["--quick", "--latency-ms", "0"]),
        ("plan_children", ["--quick", "--latency-ms", "0"]),
        ("import_all", ["--quick", "--latency-ms", "0"]),
        ("release_flow", ["--apps", "2", "--latency-ms", "0", "--faults", "ambiguous-create=2"]),
        ("plan_parallel", ["--quick", "--latency-ms", "0"]),
        ("apply_creates", ["--apps", "3", "--latency-ms", "0"]),
        ("apply_faults", ["--apps", "2", "--latency-ms", "0"]),
        ("apply_parallel", ["--apps", "3", "--latency-ms", "0", "--parallel", "2"]),
        ("planner_cpu", ["--pairs", "20", "--repeat", "1"]),
    ],
)
def test_each_benchmark_runs_its_smallest_case(
    name: str, argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", [name])
    assert _load(name, monkeypatch).main(argv) == 0
    out = capsys.readouterr().out
    assert "wall s" in out or "CPU ms" in out  # the figures table was printed
