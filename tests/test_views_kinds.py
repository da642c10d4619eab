"""The views with every kind of change: localizations (single- and multi-line text), the build,
the phased release, and deferrals with a reason.

The golden files tests/golden/kinds-plan.* hold the exact output of `kinds_plan()`; regenerate
them as test_render.py says (`UPDATE_GOLDEN=1`) and review the diff.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from reconciler.manifest import Platform
from reconciler.outcome import ApplyResult, ChangeResult, Status
from reconciler.plan import Action, Change, Deferral, Plan, PlanProblem
from reconciler.views import plan_json, plan_markdown, plan_text
from reconciler.views.report import apply_json, deferred_line, result_line
from reconciler.views.words import ordered
from tests.test_render import ANSI, assert_well_formed, check_golden

WEATHER = "com.example.weather"
NOTES = "com.example.notes"
OLD_NOTES = "Das Radar ist schnell.\nNeue Widgets."
NEW_NOTES = "Das Radar ist schneller.\nNeue Widgets."


def change(kind: str, action: Action, app: str = WEATHER, **fields: Any) -> Change:
    defaults: dict[str, Any] = {"version": "2.5.0", "version_id": f"v-{app[12:]}-ios"}
    return Change(
        kind=kind,
        app=app,
        app_id="1000019383" if app == WEATHER else "1000015654",
        platform=Platform.IOS,
        action=action,
        **{**defaults, **fields},
    )


def localization(action: Action, key: str, app: str = WEATHER, **fields: Any) -> Change:
    return change("localization", action, app, key=key, **fields)


def build_deferral(app: str = WEATHER) -> Deferral:
    return Deferral(
        kind="build",
        app=app,
        platform=Platform.IOS,
        version="2.5.0",
        reason="build 2040 of 2.5.0 is processing",
        until="a later run attaches it once it is processed",
    )


def kinds_plan() -> Plan:
    """One of each: a new version with its localizations, text updates, a build, and a phased
    release created, completed and deleted; a deferral of each kind and an error."""
    new = {"version_id": None, "version": "3.0.0"}
    return Plan(
        changes=[
            change(
                "version",
                Action.CREATE,
                NOTES,
                after={"version": "3.0.0", "release_type": "manual"},
                **new,
            ),
            localization(
                Action.CREATE,
                "en-US",
                NOTES,
                after={"promotional_text": "Now faster.", "release_notes": "Faster sync."},
                **new,
            ),
            localization(
                Action.CREATE,
                "fr-FR",
                NOTES,
                after={"release_notes": "Synchro plus rapide.\n\nNouveaux thèmes."},
                **new,
            ),
            change(
                "phased_release", Action.CREATE, NOTES, after={"phased_release": "inactive"}, **new
            ),
            localization(
                Action.UPDATE,
                "de-DE",
                resource_id="loc-de",
                before={"release_notes": OLD_NOTES, "promotional_text": "Schnell."},
                after={"release_notes": NEW_NOTES, "promotional_text": "Schneller."},
            ),
            localization(
                Action.UPDATE,
                "ja",
                resource_id="loc-ja",
                before={"release_notes": None},
                after={"release_notes": "レーダー。\nウィジェット。"},
            ),
            change(
                "build",
                Action.UPDATE,
                resource_id="build-2041",
                before={"build": "2030"},
                after={"build": "2041"},
            ),
            change(
                "phased_release",
                Action.UPDATE,
                resource_id="pr-weather",
                before={"phased_release": "active"},
                after={"phased_release": "complete"},
            ),
            change(
                "phased_release",
                Action.DELETE,
                version="2.4.0",
                version_id="v-weather-ios-old",
                resource_id="pr-old",
                before={"phased_release": "inactive"},
            ),
        ],
        deferred=[
            build_deferral(),
            Deferral(
                app="com.example.podcasts",
                platform=Platform.IOS,
                version="5.0.0",
                waiting_on="4.9.0",
                waiting_on_id="v-podcasts-ios-review",
                waiting_on_state="IN_REVIEW",
            ),
        ],
        errors=[
            PlanProblem(
                app=WEATHER,
                platform=Platform.IOS,
                version="2.5.0",
                rule="locale-cannot-be-added",
                message="version 2.5.0 is IN_REVIEW and has no it localization",
            )
        ],
    )


RENDERERS: dict[str, Callable[[Plan], str]] = {
    "txt": plan_text,
    "color.txt": lambda plan: plan_text(plan, color=True),
    "md": plan_markdown,
    "json": plan_json,
}


@pytest.mark.parametrize("suffix", list(RENDERERS))
def test_a_plan_of_every_kind_matches_the_golden_file(suffix: str) -> None:
    check_golden(f"kinds-plan.{suffix}", RENDERERS[suffix](kinds_plan()))


def block(text: str, title: str) -> list[str]:
    """The lines of the change block whose title line ends with `title`."""
    for chunk in text.split("\n\n"):
        lines = chunk.splitlines()
        if lines[0].endswith(title):
            return lines
    raise AssertionError(f"no block {title!r} in:\n{text}")


# --- text --------------------------------------------------------------------------------------


def test_titles_say_what_each_kind_writes_and_the_id_of_what_is_written() -> None:
    titles = [
        line for line in plan_text(kinds_plan()).splitlines() if line[:2] in {"+ ", "~ ", "- "}
    ]
    assert titles == [
        "+ com.example.notes ios: create version 3.0.0",
        "+ com.example.notes ios: create localization en-US of 3.0.0",
        "+ com.example.notes ios: create localization fr-FR of 3.0.0",
        "+ com.example.notes ios: create phased release of 3.0.0",
        "- com.example.weather ios: delete phased release of 2.4.0 (id pr-old)",
        "~ com.example.weather ios: update localization de-DE of 2.5.0 (id loc-de)",
        "~ com.example.weather ios: update localization ja of 2.5.0 (id loc-ja)",
        "~ com.example.weather ios: update build of 2.5.0 (id build-2041)",
        "~ com.example.weather ios: update phased release of 2.5.0 "
        "(complete is final: every user gets it now) (id pr-weather)",
    ]


def test_a_child_to_create_shows_no_id_not_its_versions() -> None:
    created = localization(Action.CREATE, "it", after={"release_notes": "Veloce."})
    assert plan_text(Plan(changes=[created])).splitlines()[:2] == [
        "+ com.example.weather ios: create localization it of 2.5.0",
        '    + release_notes = "Veloce."',
    ]


def test_multi_line_text_shows_as_a_line_diff_and_single_line_as_before() -> None:
    lines = block(plan_text(kinds_plan()), "localization de-DE of 2.5.0 (id loc-de)")
    assert lines[1:] == [
        "    ~ release_notes:",
        "        - Das Radar ist schnell.",
        "        + Das Radar ist schneller.",
        "          Neue Widgets.",
        '    ~ promotional_text: "Schnell." -> "Schneller."',
    ]


def test_text_that_was_not_set_shows_only_added_lines() -> None:
    lines = block(plan_text(kinds_plan()), "localization ja of 2.5.0 (id loc-ja)")
    assert lines[1:] == ["    ~ release_notes:", "        + レーダー。", "        + ウィジェット。"]


def test_a_created_multi_line_value_is_a_block_of_added_lines_and_keeps_its_empty_line() -> None:
    lines = block(plan_text(kinds_plan()), "create localization fr-FR of 3.0.0")
    assert lines[1:] == [
        "    + release_notes =",
        "        + Synchro plus rapide.",
        "        +",
        "        + Nouveaux thèmes.",
    ]
    both = block(plan_text(kinds_plan()), "create localization en-US of 3.0.0")
    assert both[1:] == [  # in the kind's order, not the dict's
        '    + release_notes    = "Faster sync."',
        '    + promotional_text = "Now faster."',
    ]


def test_an_unchanged_empty_line_keeps_the_block_together() -> None:
    update = localization(
        Action.UPDATE,
        "de-DE",
        resource_id="loc-de",
        before={"release_notes": "Eins.\n\nZwei."},
        after={"release_notes": "Eins.\n\nDrei."},
    )
    text = plan_text(Plan(changes=[update]))
    assert text.splitlines()[1:6] == [
        "    ~ release_notes:",
        "          Eins.",
        "         ",
        "        - Zwei.",
        "        + Drei.",
    ]
    assert text.count("\n\n") == 1  # only before the summary


def test_build_and_phased_release_read_as_one_value() -> None:
    text = plan_text(kinds_plan())
    assert block(text, "(id build-2041)")[1:] == ['    ~ build: "2030" -> "2041"']
    assert block(text, "(id pr-weather)")[1:] == ['    ~ phased_release: "active" -> "complete"']
    assert block(text, "create phased release of 3.0.0")[1:] == [
        '    + phased_release = "inactive"'
    ]
    assert block(text, "(id pr-old)")[1:] == ['    - phased_release = "inactive"']


def hostile_update() -> Change:
    return localization(
        Action.UPDATE,
        "de-DE",
        resource_id="loc-de",
        before={"release_notes": "Alt.\nGleich."},
        after={"release_notes": "Neu \x1b[2J\x9b31m\r\u202e.\nGleich.\tTab"},
    )


def test_control_characters_in_multi_line_text_are_escaped() -> None:
    plan = Plan(changes=[hostile_update()])
    for text in (plan_text(plan), plan_text(plan, color=True), plan_markdown(plan)):
        assert not {"\r", "\x9b", "\u202e", "\t"} & set(text)
    assert "\x1b" not in plan_text(plan) + plan_markdown(plan)
    assert ANSI.sub("", plan_text(plan, color=True)) == plan_text(plan)
    assert plan_text(plan).splitlines()[1:6] == [
        "    ~ release_notes:",
        "        - Alt.",
        "        - Gleich.",
        "        + Neu \\x1b[2J\\x9b31m\\r\\u202e.",
        "        + Gleich.\\tTab",
    ]


def test_colour_marks_removed_lines_red_and_added_lines_green_only_when_on() -> None:
    plan = Plan(changes=[kinds_plan().changes[5]])  # de-DE
    assert "\x1b" not in plan_text(plan)
    lines = plan_text(plan, color=True).splitlines()
    assert lines[1:5] == [
        "    \x1b[33m~\x1b[0m release_notes:",
        "        \x1b[31m- Das Radar ist schnell.\x1b[0m",
        "        \x1b[32m+ Das Radar ist schneller.\x1b[0m",
        "          Neue Widgets.",
    ]


def test_with_colour_only_colour_differs() -> None:
    plan = kinds_plan()
    assert "\x1b" not in plan_text(plan) + plan_markdown(plan) + plan_json(plan)
    assert ANSI.sub("", plan_text(plan, color=True)) == plan_text(plan)


def test_attributes_of_every_kind_are_in_their_kinds_order() -> None:
    assert ordered(
        ["promotional_text", "phased_release", "build", "release_notes", "copyright"]
    ) == [
        "copyright",
        "release_notes",
        "promotional_text",
        "build",
        "phased_release",
    ]
    assert ordered(["zz", "promotional_text", "aa"]) == ["promotional_text", "aa", "zz"]


# --- deferrals ---------------------------------------------------------------------------------


def test_a_deferral_with_a_reason_says_it_and_when_a_later_run_does_it() -> None:
    lines = plan_text(kinds_plan()).splitlines()
    deferred = lines[lines.index("Deferred:") + 1 : lines.index("Deferred:") + 3]
    assert deferred == [
        "  … com.example.podcasts ios 5.0.0 waits for 4.9.0 (IN_REVIEW); apply skips it, "
        "a later run creates it once 4.9.0 is done.",
        "  … com.example.weather ios 2.5.0: build 2040 of 2.5.0 is processing; apply skips it, "
        "a later run attaches it once it is processed.",
    ]
    markdown = plan_markdown(kinds_plan())
    assert (
        "- `com.example.weather` ios 2.5.0: build 2040 of 2.5.0 is processing; apply skips it, "
        "a later run attaches it once it is processed.\n"
    ) in markdown
    assert deferred_line(build_deferral()) == (
        "… com.example.weather ios 2.5.0 deferred: build 2040 of 2.5.0 is processing; "
        "a later run attaches it once it is processed"
    )
    version = kinds_plan().deferred[0]
    assert deferred_line(version) == (
        "… com.example.podcasts ios 5.0.0 deferred: waits for 4.9.0 (IN_REVIEW); "
        "run apply again once it is done"
    )


def test_a_deferral_reason_from_outside_is_escaped() -> None:
    deferral = build_deferral().model_copy(update={"reason": "build \x1b[2J\n2040", "until": "\r"})
    text = plan_text(Plan(deferred=[deferral]))
    assert "  … com.example.weather ios 2.5.0: build \\x1b[2J\\n2040; apply skips it, \\r." in text
    assert "\x1b" not in deferred_line(deferral)


# --- markdown ----------------------------------------------------------------------------------


def details(markdown: str) -> list[str]:
    fence = re.search(r"^(`{3,})diff$", markdown, re.MULTILINE)
    assert fence
    start = fence.end() + 1
    return markdown[start : markdown.index("\n" + fence[1] + "\n", start)].splitlines()


def test_markdown_shows_multi_line_text_as_diff_lines() -> None:
    markdown = plan_markdown(kinds_plan())
    lines = details(markdown)
    at = lines.index("! com.example.weather ios: update localization de-DE of 2.5.0 (id loc-de)")
    assert lines[at + 1 : at + 6] == [
        "!     release_notes:",
        "-         Das Radar ist schnell.",
        "+         Das Radar ist schneller.",
        "          Neue Widgets.",
        '!     promotional_text: "Schnell." -> "Schneller."',
    ]
    at = lines.index("+ com.example.notes ios: create localization fr-FR of 3.0.0")
    assert lines[at + 2 : at + 4] == ["+         Synchro plus rapide.", "+"]
    assert_well_formed(markdown)


def test_an_unchanged_line_that_starts_like_a_marker_stays_unchanged_in_markdown() -> None:
    update = localization(
        Action.UPDATE,
        "en-US",
        resource_id="loc-en",
        before={"release_notes": "- Radar\n+ Widgets\n~ Maps"},
        after={"release_notes": "- Radar\n+ Widgets\n~ Karten"},
    )
    lines = details(plan_markdown(Plan(changes=[update])))
    assert lines[1:6] == [
        "!     release_notes:",
        "          - Radar",
        "          + Widgets",
        "-         ~ Maps",
        "+         ~ Karten",
    ]


def test_backticks_in_a_text_cannot_close_the_diff_block() -> None:
    update = localization(
        Action.UPDATE,
        "en-US",
        resource_id="loc-en",
        before={"release_notes": "Old."},
        after={"release_notes": "New:\n```\nEnde\n````"},
    )
    markdown = plan_markdown(Plan(changes=[update]))
    assert_well_formed(markdown)
    assert "\n`````diff\n" in markdown
    assert details(markdown)[1:6] == [
        "!     release_notes:",
        "-         Old.",
        "+         New:",
        "+         ```",
        "+         Ende",
    ]


def test_the_table_and_the_delete_warning_name_what_each_change_writes() -> None:
    markdown = plan_markdown(kinds_plan())
    assert (
        "> Applying this plan deletes 1 phased release:\n>\n"
        "> - `com.example.weather` ios phased release of 2.4.0 (id `pr-old`)\n"
    ) in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| `")]
    assert rows[:2] == [
        "| `com.example.notes` | ios | + create | `3.0.0` |",
        "| `com.example.notes` | ios | + create localization en-US of 3.0.0 | `3.0.0` |",
    ]
    assert rows[-1] == (
        "| `com.example.weather` | ios | ~ update phased release of 2.5.0 "
        "(complete is final: every user gets it now) | `2.5.0` |"
    )


def test_a_delete_warning_of_several_kinds_counts_each() -> None:
    plan = kinds_plan()
    version = change(
        "version",
        Action.DELETE,
        version="2.4.0",
        version_id="v-old",
        before={"version": "2.4.0"},
    )
    markdown = plan_markdown(Plan(changes=[*plan.changes, version]))
    assert "> Applying this plan deletes 1 App Store version and 1 phased release:\n" in markdown
    assert "> - `com.example.weather` ios version `2.4.0` (id `v-old`)\n" in markdown


def test_a_long_multi_line_plan_is_cut_to_the_limit_and_stays_well_formed() -> None:
    notes = "\n".join(f"Line {n} ``` of the notes" for n in range(40))
    changes = [
        localization(
            Action.UPDATE,
            "de-DE",
            f"com.example.bulk{n:04d}",
            resource_id=f"loc-{n}",
            before={"release_notes": notes},
            after={"release_notes": notes.replace("Line 7 ", "Zeile 7 ")},
        )
        for n in range(400)
    ]
    plan = Plan(changes=changes)
    for limit in (65536, 9000):
        markdown = plan_markdown(plan, limit=limit)
        assert len(markdown) <= limit
        assert_well_formed(markdown)
    assert "the last" in plan_markdown(plan) and "lines are not shown here" in plan_markdown(plan)


# --- json --------------------------------------------------------------------------------------


def test_json_names_the_kind_key_and_resource_of_each_change_and_deferral() -> None:
    document = json.loads(plan_json(kinds_plan()))
    de = next(c for c in document["changes"] if c["key"] == "de-DE")
    assert {k: de[k] for k in ("kind", "key", "resource_id", "version_id")} == {
        "kind": "localization",
        "key": "de-DE",
        "resource_id": "loc-de",
        "version_id": "v-weather-ios",
    }
    assert de["after"] == {"release_notes": NEW_NOTES, "promotional_text": "Schneller."}
    version = document["changes"][0]
    assert (version["kind"], version["key"], version["resource_id"]) == ("version", None, None)
    deferred = {d["kind"]: d for d in document["deferred"]}
    assert {k: deferred["build"][k] for k in ("reason", "until", "waiting_on")} == {
        "reason": "build 2040 of 2.5.0 is processing",
        "until": "a later run attaches it once it is processed",
        "waiting_on": "",
    }
    assert (deferred["version"]["reason"], deferred["version"]["until"]) == ("", "")
    assert document["format_version"] == "1"


# --- the apply report --------------------------------------------------------------------------


def test_the_apply_report_names_what_each_result_wrote() -> None:
    plan = kinds_plan()
    de = plan.changes[5]
    created = plan.changes[0]
    result = ApplyResult(
        results=(
            ChangeResult(created, Status.DONE, resource_id="v-new"),
            ChangeResult(de, Status.DONE, resource_id="loc-de", note="confirmed by reading back"),
        ),
        deferred=(build_deferral(),),
    )
    report = json.loads(apply_json(result))
    version, localized, deferred = report["results"]
    assert (version["version_id"], version["resource_id"], version["key"]) == (
        "v-new",
        "v-new",
        None,
    )
    assert (localized["kind"], localized["key"]) == ("localization", "de-DE")
    assert (localized["version_id"], localized["resource_id"]) == ("v-weather-ios", "loc-de")
    assert {k: deferred[k] for k in ("kind", "action", "status", "reason", "until", "note")} == {
        "kind": "build",
        "action": "update",
        "status": "deferred",
        "reason": "build 2040 of 2.5.0 is processing",
        "until": "a later run attaches it once it is processed",
        "note": "build 2040 of 2.5.0 is processing",
    }
    assert result_line(result.results[0]) == "+ com.example.notes ios 3.0.0 created (id v-new)"
    assert result_line(result.results[1]) == (
        "~ com.example.weather ios localization de-DE of 2.5.0 updated (id loc-de): "
        "confirmed by reading back"
    )
