"""The version kind's comparison compares flat values directly and only nested ones with
DeepDiff (issue 12: DeepDiff's per-call setup dominated the planner). It must say exactly what
the DeepDiff-per-call comparison said, for any values, flat, nested or of mixed types. The
plan's checksum is computed once per plan: cached on the frozen model, without changing
equality, output or what a copy with other content says."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from unittest import mock

from deepdiff import DeepDiff
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler import plan as plan_module
from reconciler.kinds import version
from reconciler.manifest import Platform
from reconciler.plan import Action, Change, Plan
from tests.profiles import examples

NAMES = st.sampled_from([*version._ATTRIBUTES, "not_an_attribute"])
FLAT = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
VALUES = st.recursive(
    FLAT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)
ATTRIBUTES = st.dictionaries(NAMES, VALUES)


def deepdiff_differences(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """The comparison as it was before issue 12 (also in benchmarks/planner_cpu.py)."""
    shared = {k: current.get(k) for k in wanted}
    diff = DeepDiff(shared, dict(wanted), ignore_order=True)
    changed = {path.split("'")[1] for kind in diff.values() for path in kind}
    return [k for k in version._ATTRIBUTES if k in changed]


@settings(max_examples=examples(500))
@given(current=ATTRIBUTES, wanted=ATTRIBUTES)
def test_the_comparison_says_what_deepdiff_said(
    current: dict[str, Any], wanted: dict[str, Any]
) -> None:
    assert version._differences(current, wanted) == deepdiff_differences(current, wanted)


@settings(max_examples=examples(200))
@given(current=ATTRIBUTES, wanted=ATTRIBUTES)
def test_the_comparison_of_a_value_with_itself_finds_nothing(
    current: dict[str, Any], wanted: dict[str, Any]
) -> None:
    same = {k: v for k, v in wanted.items() if v == v}  # NaN is never equal, not even to itself
    assert version._differences({**current, **same}, same) == []


def test_flat_values_never_reach_deepdiff() -> None:
    current = {"version": "1.3", "release_type": "manual", "copyright": None}
    wanted = {"version": "1.3", "release_type": "after_approval", "copyright": "2026 X"}
    with mock.patch.object(version, "DeepDiff") as deepdiff:
        assert version._differences(current, wanted) == ["release_type", "copyright"]
    deepdiff.assert_not_called()


def test_nested_values_still_go_to_deepdiff() -> None:
    # e.g. per-locale text: order-insensitive lists, as DeepDiff(ignore_order=True) says
    current = {"copyright": {"en-US": ["a", "b"]}}
    assert version._differences(current, {"copyright": {"en-US": ["b", "a"]}}) == []
    assert version._differences(current, {"copyright": {"en-US": ["a"]}}) == ["copyright"]


# --- the checksum ---------------------------------------------------------------------------

CHANGE = Change(
    app="com.example.app",
    app_id="6400000000",
    platform=Platform.IOS,
    action=Action.CREATE,
    version="1.1",
    after={"version": "1.1"},
)


def test_the_checksum_is_computed_once() -> None:
    plan = Plan(changes=(CHANGE,))
    with mock.patch.object(plan_module, "digest", wraps=plan_module.digest) as digest:
        first = plan.checksum
        assert plan.checksum == first and plan.model_dump()["checksum"] == first
    assert digest.call_count == 1


def test_a_cached_checksum_changes_neither_equality_nor_output() -> None:
    seen, fresh = Plan(changes=(CHANGE,)), Plan(changes=(CHANGE,))
    _ = seen.checksum
    assert seen == fresh
    assert seen.model_dump_json() == fresh.model_dump_json()


def test_a_copy_with_other_content_has_its_own_checksum() -> None:
    plan = Plan(changes=(CHANGE,))
    _ = plan.checksum
    empty = plan.model_copy(update={"changes": ()})
    assert empty.checksum == Plan().checksum != plan.checksum
    assert plan.model_copy().checksum == plan.checksum
