"""Rendering a plan as text, markdown and JSON.

The golden files in tests/golden/ hold the exact output for a small and a large plan; a test
fails when the output differs from them by a single byte. After an intended change of the
output, regenerate them and review the diff like any other code change:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py

(`UPDATE_GOLDEN=1` rewrites the files instead of comparing; any other value compares.)
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.manifest import Platform
from reconciler.plan import Action, Change, Deferral, Plan, PlanProblem
from reconciler.views import NO_CHANGES, plan_json, plan_markdown, plan_text

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SCHEDULED = "2026-12-01T17:00:00Z"


# --- plans to render ---------------------------------------------------------------------------


def create(app: str, platform: Platform, version: str, **attributes: Any) -> Change:
    after = {"version": version, "release_type": "after_approval", **attributes}
    return Change(
        app=app,
        app_id=_app_id(app),
        platform=platform,
        action=Action.CREATE,
        version=version,
        after=after,
    )


def update(
    app: str, platform: Platform, version: str, before: dict[str, Any], after: dict[str, Any]
) -> Change:
    return Change(
        app=app,
        app_id=_app_id(app),
        platform=platform,
        action=Action.UPDATE,
        version=version,
        version_id=f"v-{app.rsplit('.', 1)[-1]}-{platform.value}",
        before=before,
        after=after,
    )


def delete(app: str, platform: Platform, version: str) -> Change:
    return Change(
        app=app,
        app_id=_app_id(app),
        platform=platform,
        action=Action.DELETE,
        version=version,
        version_id=f"v-{app.rsplit('.', 1)[-1]}-{platform.value}-old",
        before={"version": version, "release_type": "manual", "copyright": "2025 Example Inc."},
    )


def defer(app: str, platform: Platform, version: str, waiting_on: str) -> Deferral:
    return Deferral(
        app=app,
        platform=platform,
        version=version,
        waiting_on=waiting_on,
        waiting_on_id=f"v-{app.rsplit('.', 1)[-1]}-{platform.value}-review",
        waiting_on_state="IN_REVIEW",
    )


def _app_id(app: str) -> str:
    return str(1_000_000_000 + sum(ord(c) * (i + 1) for i, c in enumerate(app)))


def small_items() -> dict[str, list[Any]]:
    return {
        "changes": [
            create(
                "com.example.weather",
                Platform.IOS,
                "2.4.0",
                release_type="scheduled",
                earliest_release_date=SCHEDULED,
                copyright="2026 Example Inc.",
            ),
            update(
                "com.example.notes",
                Platform.IOS,
                "3.1.0",
                before={"version": "3.0.1", "release_type": "after_approval"},
                after={"version": "3.1.0", "release_type": "manual"},
            ),
            update(
                "com.example.notes",
                Platform.MACOS,
                "3.1.0",
                before={"copyright": "2025 Example Inc."},
                after={"copyright": "2026 Example Inc."},
            ),
            delete("com.example.weather", Platform.TVOS, "1.0"),
        ],
        "deferred": [defer("com.example.podcasts", Platform.IOS, "5.0.0", "4.9.0")],
        "errors": [
            PlanProblem(
                app="com.example.chess",
                platform=Platform.IOS,
                version="1.1",
                rule="version-must-increase",
                message="1.1 must be greater than 1.2, the highest version on ios",
            ),
            PlanProblem(
                app="com.example.maps",
                rule="app-not-found",
                message="no app with this bundle id in App Store Connect; check the spelling",
            ),
        ],
    }


def small_plan() -> Plan:
    return Plan(**small_items())


def large_items() -> dict[str, list[Any]]:
    """60 apps; each kind of change, deferral and error, chosen by the app's number."""
    items: dict[str, list[Any]] = {"changes": [], "deferred": [], "errors": []}
    for n in range(60):
        app = f"com.example.app{n:02d}"
        kind = n % 5
        if kind == 0:
            items["changes"].append(create(app, Platform.IOS, f"{n // 5 + 1}.0.0"))
        elif kind == 1:
            items["changes"].append(
                update(
                    app,
                    Platform.IOS,
                    f"{n}.1",
                    before={"release_type": "manual"},
                    after={"release_type": "after_approval"},
                )
            )
            items["changes"].append(
                update(
                    app,
                    Platform.MACOS,
                    f"{n}.2",
                    before={"version": f"{n}.1", "copyright": None},
                    after={"version": f"{n}.2", "copyright": "2026 Example Inc."},
                )
            )
        elif kind == 2:
            items["changes"].append(delete(app, Platform.TVOS, f"{n}.0"))
            items["changes"].append(
                create(
                    app,
                    Platform.IOS,
                    f"{n}.0",
                    release_type="scheduled",
                    earliest_release_date=SCHEDULED,
                )
            )
        elif kind == 3:
            items["deferred"].append(defer(app, Platform.IOS, f"{n}.1", f"{n}.0"))
        else:
            items["errors"].append(
                PlanProblem(
                    app=app,
                    platform=Platform.MACOS,
                    version=f"{n}.0",
                    rule="version-not-editable",
                    message=f"{n}.0 is READY_FOR_DISTRIBUTION and can no longer change",
                )
            )
        if n % 7 == 0:
            items["changes"].append(create(app, Platform.VISIONOS, "1.0"))
    return items


def large_plan() -> Plan:
    return Plan(**large_items())


def huge_plan(apps: int = 3000, *, deletes: bool = False) -> Plan:
    """Thousands of changes: far more than a pull-request comment can hold."""
    changes = [
        delete(f"com.example.bulk{n:05d}", Platform.TVOS, "1.0")
        if deletes or n % 10 == 0
        else create(f"com.example.bulk{n:05d}", Platform.IOS, "1.0", copyright="2026 Example Inc.")
        for n in range(apps)
    ]
    return Plan(changes=changes)


# --- golden files ------------------------------------------------------------------------------


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode())
        return
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to write it"
    expected = path.read_bytes().decode()
    assert text == expected, f"output differs from {path}; if intended, run with UPDATE_GOLDEN=1"


RENDERERS: dict[str, Callable[[Plan], str]] = {
    "txt": plan_text,
    "color.txt": lambda plan: plan_text(plan, color=True),
    "md": plan_markdown,
    "json": plan_json,
}


@pytest.mark.parametrize("suffix", list(RENDERERS))
@pytest.mark.parametrize(("name", "build"), [("small", small_plan), ("large", large_plan)])
def test_output_matches_the_golden_file(name: str, build: Callable[[], Plan], suffix: str) -> None:
    check_golden(f"{name}-plan.{suffix}", RENDERERS[suffix](build()))


@pytest.mark.skipif(UPDATE_GOLDEN, reason="UPDATE_GOLDEN=1 rewrites instead of comparing")
def test_output_that_differs_from_its_golden_file_fails() -> None:
    with pytest.raises(AssertionError, match="differs from"):
        check_golden("small-plan.txt", plan_text(small_plan()).replace("2.4.0", "2.4.1"))


def test_a_cut_short_comment_matches_the_golden_file() -> None:
    check_golden("large-plan.limit-6000.md", plan_markdown(large_plan(), limit=6000))


# --- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [small_plan, large_plan, lambda: huge_plan(200)])
def test_without_color_there_is_no_escape_code_and_with_it_only_colour_differs(
    build: Callable[[], Plan],
) -> None:
    plan = build()
    for text in (plan_text(plan), plan_markdown(plan), plan_json(plan)):
        assert "\x1b" not in text
    colored = plan_text(plan, color=True)
    assert ANSI.search(colored)
    assert ANSI.sub("", colored) == plan_text(plan)


def test_an_empty_plan_says_no_changes() -> None:
    plan = Plan()
    assert plan_text(plan) == NO_CHANGES + "\n"
    assert plan_text(plan, color=True) == f"\x1b[1m{NO_CHANGES}\x1b[0m\n"
    assert NO_CHANGES in plan_markdown(plan)
    assert "<details>" not in plan_markdown(plan)
    document = json.loads(plan_json(plan))
    assert document["changes"] == document["deferred"] == document["errors"] == []
    assert set(document["summary"].values()) == {0}


def test_deferrals_and_errors_alone_are_no_changes_to_apply() -> None:
    items = small_items()
    text = plan_text(Plan(deferred=items["deferred"], errors=items["errors"]))
    assert text.splitlines()[-1] == "No changes to apply. 1 deferred. 2 errors."
    text = plan_text(Plan(errors=items["errors"][:1]))
    assert text.splitlines()[-1] == "No changes to apply. 1 error."


def test_an_update_shows_only_the_attributes_that_change() -> None:
    change = update(
        "com.example.notes",
        Platform.IOS,
        "3.1.0",
        before={"version": "3.1.0", "release_type": "manual", "copyright": None},
        after={"version": "3.1.0", "release_type": "after_approval", "copyright": "2026 X"},
    )
    lines = plan_text(Plan(changes=[change])).splitlines()
    assert lines[1:3] == [
        '    ~ release_type: "manual" -> "after_approval"',
        '    ~ copyright:    null -> "2026 X"',
    ]
    assert "version:" not in "\n".join(lines)


def test_values_from_outside_cannot_inject_terminal_codes_or_lines() -> None:
    hostile = "2026 \x1b[2J Evil\nInc. \u202e"
    change = create("com.example.weather", Platform.IOS, "2.4.0", copyright=hostile)
    error = PlanProblem(app="com.example.chess", rule="r\x1b", message="bad\r\nnews \x9b31m")
    plan = Plan(changes=[change], errors=[error])
    for text in (plan_text(plan), plan_markdown(plan)):
        assert not {"\x1b", "\r", "\x9b", "\u202e"} & set(text)
        lines = text.splitlines()
        assert all("news" in line for line in lines if "bad" in line)  # one line each
    # A value's own newline shows as lines of a diff, set under its attribute and escaped.
    lines = plan_text(plan).splitlines()
    at = lines.index("    + copyright    =")
    assert lines[at + 1 : at + 3] == ["        + 2026 \\x1b[2J Evil", "        + Inc. \\u202e"]
    body = plan_markdown(plan).split("```diff\n")[1].splitlines()
    at = body.index("+     copyright    =")
    assert body[at + 1 : at + 3] == ["+         2026 \\x1b[2J Evil", "+         Inc. \\u202e"]
    assert json.loads(plan_json(plan))["changes"][0]["after"]["copyright"] == hostile


# --- partial plans and determinism ---------------------------------------------------------------


def test_a_partial_plan_says_so_in_every_format() -> None:
    plan = Plan(**small_items(), targets=("com.example.app:ios", "com.example.notes"))
    line = (
        "Partial plan: only com.example.app:ios, com.example.notes were planned; "
        "other apps and platforms were not read."
    )
    assert plan_text(plan).splitlines()[0] == "! " + line
    markdown = plan_markdown(plan)
    assert "> [!IMPORTANT]\n> " + line.replace("_", "\\_") in markdown
    assert markdown.index("[!IMPORTANT]") < markdown.index("<details>")
    document = json.loads(plan_json(plan))
    assert document["partial"] is True
    assert document["targets"] == ["com.example.app:ios", "com.example.notes"]
    assert json.loads(plan_json(small_plan()))["partial"] is False
    assert json.loads(plan_json(small_plan()))["targets"] is None


def test_an_empty_partial_plan_does_not_claim_the_whole_manifest_matches() -> None:
    text = plan_text(Plan(targets=("com.example.notes",)))
    assert text.startswith("! Partial plan: only com.example.notes was planned;")
    assert NO_CHANGES not in text
    assert "for the planned targets" in text


@pytest.mark.parametrize("render", list(RENDERERS.values()))
def test_rendering_is_deterministic_whatever_the_order_of_the_items(
    render: Callable[[Plan], str],
) -> None:
    first = render(large_plan())
    assert render(large_plan()) == first
    for seed in range(5):
        items = large_items()
        for values in items.values():
            random.Random(seed).shuffle(values)
        assert render(Plan(**items)) == first


# --- json --------------------------------------------------------------------------------------


def test_json_is_the_versioned_public_format() -> None:
    plan = small_plan()
    text = plan_json(plan)
    document = json.loads(text)
    assert text.endswith("}\n")
    assert text == json.dumps(document, indent=2, sort_keys=True) + "\n"
    top = {"format_version", "changes", "deferred", "errors", "summary", "partial", "targets"}
    assert list(document) == sorted(top | {"checksum"})
    assert document["format_version"] == "1"
    assert document["checksum"] == plan.checksum
    assert document["summary"] == {
        "create": 1,
        "update": 2,
        "delete": 1,
        "submit": 0,
        "release": 0,
        "deferred": 1,
        "errors": 2,
    }
    change_keys = {"kind", "app", "app_id", "platform", "action", "version", "version_id"}
    change_keys |= {"before", "after", "key", "resource_id"}
    assert all(set(c) == change_keys for c in document["changes"])
    deferral_keys = {"app", "platform", "version", "waiting_on", "waiting_on_id"}
    deferral_keys |= {"waiting_on_state", "kind", "reason", "until"}
    assert all(set(d) == deferral_keys for d in document["deferred"])
    assert [c["action"] for c in document["changes"]] == ["update", "update", "create", "delete"]
    assert document["errors"][1]["platform"] is None
    assert document["deferred"][0]["waiting_on_state"] == "IN_REVIEW"


# --- markdown ----------------------------------------------------------------------------------


def full_plan_at(markdown: str) -> int:
    """Where the folded full plan starts, or its note when none of it fit."""
    return markdown.index("<details>" if "<details>" in markdown else "> [!NOTE]")


def assert_well_formed(markdown: str) -> None:
    assert markdown.count("<details>") == markdown.count("</details>") <= 1
    fences = re.findall(r"^`{3,}", markdown, flags=re.MULTILINE)
    assert len(fences) % 2 == 0
    if "<details>" in markdown:
        inside = markdown[markdown.index("<details>") : markdown.index("</details>")]
        assert len(re.findall(r"^`{3,}", inside, flags=re.MULTILINE)) == 2


def test_markdown_colours_the_plan_as_a_diff() -> None:
    markdown = plan_markdown(small_plan())
    body = markdown[markdown.index("```diff\n") + 8 : markdown.index("\n```\n")]
    lines = body.splitlines()
    assert "+ com.example.weather ios: create version 2.4.0" in lines
    assert '+     release_type          = "scheduled"' in lines
    assert '!     release_type: "after_approval" -> "manual"' in lines
    assert "- com.example.weather tvos: delete version 1.0 (id v-weather-tvos-old)" in lines
    assert_well_formed(markdown)


def test_a_huge_plan_is_cut_to_fit_a_comment() -> None:
    plan = huge_plan()
    markdown = plan_markdown(plan)
    assert len(plan_text(plan)) > 65536
    assert len(markdown) <= 65536
    assert_well_formed(markdown)
    assert markdown.rstrip().endswith("</sub>")
    warning = markdown.index("> [!WARNING]")
    assert warning < full_plan_at(markdown)
    assert "deletes 300 App Store versions" in markdown
    assert markdown.count("> - `com.example.bulk") == 300  # every delete is listed
    assert "The full plan (15001 lines) is too long for a comment of 65536 characters" in markdown
    assert "`reconciler show plan.json`" in markdown
    assert "**Plan: 2700 to create, 0 to update, 300 to delete.**" in markdown


def test_thousands_of_deletes_are_cut_but_the_warning_stays_outside_the_details() -> None:
    markdown = plan_markdown(huge_plan(5000, deletes=True))
    assert len(markdown) <= 65536
    assert_well_formed(markdown)
    assert "deletes 5000 App Store versions" in markdown
    assert re.search(r"^> - … and \d+ more deletes not shown here", markdown, re.MULTILINE)
    assert markdown.index("more deletes not shown") < full_plan_at(markdown)


def test_a_limit_too_small_for_the_headings_is_refused() -> None:
    with pytest.raises(ValueError, match="more than 200 characters"):
        plan_markdown(large_plan(), limit=200)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    apps=st.integers(min_value=0, max_value=400),
    deletes=st.booleans(),
    limit=st.integers(min_value=2500, max_value=40000),
)
def test_markdown_never_exceeds_the_limit_and_stays_well_formed(
    apps: int, deletes: bool, limit: int
) -> None:
    plan = huge_plan(apps, deletes=deletes)
    markdown = plan_markdown(plan, limit=limit)
    assert len(markdown) <= limit
    assert_well_formed(markdown)
    if apps:
        assert markdown.index("[!WARNING]") < full_plan_at(markdown)


def test_the_json_format_document_names_every_field() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "plan-json.md").read_text()
    document = json.loads(plan_json(Plan(**small_items(), targets=("com.example.notes",))))
    names = set(document) | set(document["summary"])
    for key in ("changes", "deferred", "errors"):
        names |= {name for item in document[key] for name in item}
    assert not {name for name in names if f"`{name}`" not in doc}
    example = doc.split("```json\n")[1].split("\n```")[0]
    assert set(json.loads(example)) == set(document)
