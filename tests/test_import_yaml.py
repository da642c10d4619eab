"""The manifest text `import` writes, and `import --update`'s edits of a file a person wrote.

What is checked is what a user relies on: the text loads with the loader (the real one, from
text) and plans to "No changes"; `--update` leaves every byte outside the refreshed apps as
it was (golden files, and a property over generated accounts and hand-written files).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.asc import AscClient
from reconciler.errors import ManifestError
from reconciler.import_reader import read_for_import
from reconciler.import_update import update_document
from reconciler.import_yaml import key_lines, new_document, split_documents
from reconciler.importer import ImportedApp, ImportedPlatform, imported_apps
from reconciler.loader import load_text
from reconciler.manifest import Manifest, Platform, PlatformRelease
from reconciler.plan import Plan
from reconciler.planner import make_plan
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState, seed_state
from tests.profiles import examples
from tests.test_convergence_children import Scenario, build, scenarios

GOLDEN = Path(__file__).parent / "golden" / "import"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"
EXAMPLE = Path(__file__).parent.parent / "examples" / "releases.yaml"
SCHEMA = "schemas/manifest.schema.json"


def imported(state: SandboxState, bundle_ids: list[str] | None = None) -> list[ImportedApp]:
    with AscClient("https://sandbox.test", transport=SandboxApp(state).transport()) as client:
        return imported_apps(read_for_import(client, bundle_ids))


def plan_of(state: SandboxState, manifest: Manifest) -> Plan:
    with AscClient("https://sandbox.test", transport=SandboxApp(state).transport()) as client:
        return make_plan(manifest, read_state(client, manifest))


def assert_no_changes(plan: Plan, apps: set[str] | None = None) -> None:
    def mine(app: str | None) -> bool:
        return apps is None or app in apps

    assert [c for c in plan.changes if mine(c.app)] == []
    assert [d for d in plan.deferred if mine(d.app)] == []
    assert [e for e in plan.errors if mine(e.app)] == []


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    assert text == path.read_bytes().decode(), f"{name} differs (UPDATE_GOLDEN=1 rewrites it)"


# --- a new document --------------------------------------------------------------------------


def test_the_demo_account_imports_to_the_golden_file_and_plans_no_changes() -> None:
    state = seed_state()
    text = new_document(imported(state), schema=SCHEMA)
    golden("demo.yaml", text)
    assert text.startswith(f"# yaml-language-server: $schema={SCHEMA}\n")
    assert "    ios:  # PREPARE_FOR_SUBMISSION\n" in text
    assert "    # visionos: no App Store version yet\n" in text
    assert_no_changes(plan_of(state, load_text(text, "demo.yaml")))


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_an_imported_file_plans_no_changes(scenario: Scenario) -> None:
    state = build(scenario)
    text = new_document(imported(state), schema=SCHEMA)
    assert_no_changes(plan_of(state, load_text(text, "imported.yaml")))


TEXTS = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=170
).map(lambda t: t.replace("\r\n", "\n").strip())


@settings(max_examples=examples(300), deadline=None)
@given(notes=st.dictionaries(st.sampled_from(["en-US", "de-DE", "ja"]), TEXTS, min_size=1))
def test_any_text_apple_holds_is_written_so_that_it_loads_back_exactly(
    notes: dict[str, str],
) -> None:
    # Control characters, U+2028, tabs, quotes, backslashes, lines of spaces: quoted or a
    # block scalar, the loader reads back the very text (as plan compares it).
    notes = {locale: text for locale, text in notes.items() if text}
    if not notes:
        return
    entry = ImportedPlatform(
        "PREPARE_FOR_SUBMISSION",
        {"version": "1.1", "release_notes": notes, "promotional_text": notes},
        locales=tuple(notes),
    )
    app = ImportedApp("com.example.app", "1000000001", {Platform.IOS: entry})
    loaded = load_text(new_document([app], schema=SCHEMA), "texts.yaml")
    release = loaded.apps["com.example.app"].ios
    assert isinstance(release, PlatformRelease)
    normalised = {
        k: v.replace("\r\n", "\n").strip() for k, v in (release.release_notes or {}).items()
    }
    assert normalised == notes


def test_multi_line_text_is_a_block_scalar_and_odd_text_is_quoted() -> None:
    assert key_lines("de-DE", "Eins.\n\n  - zwei", indent=4, step=2) == [
        "    de-DE: |-",
        "      Eins.",
        "",
        "        - zwei",
    ]
    assert key_lines("en-US", "tab\there\nnext", indent=0, step=2) == ['en-US: "tab\\there\\nnext"']
    assert key_lines("en-US", "a\u2028b", indent=0, step=2) == ['en-US: "a\\u2028b"']
    assert key_lines("version", "2.4", indent=0, step=2) == ['version: "2.4"']


def test_split_names_each_file_by_the_last_part_of_the_bundle_id_unless_two_share_it() -> None:
    def app(bundle_id: str) -> ImportedApp:
        return ImportedApp(bundle_id, "1")

    files = split_documents(
        [app("com.example.weather"), app("com.a.watch"), app("com.b.watch")],
        schema_for=lambda name: f"../schemas/{name}",
    )
    assert list(files) == ["weather.yaml", "com.a.watch.yaml", "com.b.watch.yaml"]
    assert files["weather.yaml"].startswith("# yaml-language-server: $schema=../schemas/weather")


def test_an_account_without_apps_is_an_empty_manifest_that_loads() -> None:
    assert load_text(new_document([], schema=SCHEMA), "empty.yaml").apps == {}


# --- --update --------------------------------------------------------------------------------


def test_update_refreshes_two_apps_of_the_hand_written_example_and_keeps_the_rest() -> None:
    state = seed_state()
    before = EXAMPLE.read_text(encoding="utf-8")
    after = update_document(before, imported(state, ["com.example.weather", "com.example.notes"]))
    golden("releases.updated.yaml", after)
    # Every line of the other apps, the header and `defaults` is kept, in order.
    untouched = (
        before[: before.index("  com.example.weather:")]
        + before[before.index("  com.example.podcasts:") :]
    )
    assert after.startswith(untouched[: untouched.index("  com.example.podcasts:")])
    assert after.endswith(before[before.index("  com.example.podcasts:") :])
    manifest = load_text(after, "releases.yaml")
    assert_no_changes(plan_of(state, manifest), {"com.example.weather", "com.example.notes"})
    # What already meant the same stays as written, comment and all.
    assert "  com.example.weather:     # the key is the app's bundle id, matched exactly\n" in after
    assert "    macos:  # READY_FOR_DISTRIBUTION (live)\n" in after


def test_update_appends_an_app_the_file_lacks_without_repeating_its_defaults() -> None:
    state = seed_state()
    before = EXAMPLE.read_text(encoding="utf-8")
    after = update_document(before, imported(state, ["com.example.weather.watch"]))
    assert after.startswith(before)
    added = after[len(before) :]
    assert added.startswith("  com.example.weather.watch:\n")
    assert "release_type" not in added  # after_approval, as the defaults say
    assert 'copyright: "2025 Example Inc."' in added  # not the default's 2026
    manifest = load_text(after, "releases.yaml")
    assert_no_changes(plan_of(state, manifest), {"com.example.weather.watch"})


def test_update_keeps_crlf_line_ends_and_four_space_indentation() -> None:
    state = seed_state()
    before = (
        "format: 1\r\n"
        "apps:\r\n"
        "    com.example.notes:    # ours\r\n"
        "        ios:\r\n"
        "            version: '3.0'   # was 3.0\r\n"
        "            release_type: manual\r\n"
    )
    after = update_document(before, imported(state, ["com.example.notes", "com.example.chess"]))
    assert "\n" not in after.replace("\r\n", "")
    assert "    com.example.notes:    # ours\r\n" in after
    assert '            version: "3.1.0"   # was 3.0\r\n' in after
    assert "    com.example.chess:\r\n        app_id: " in after
    manifest = load_text(after, "four.yaml")
    assert_no_changes(plan_of(state, manifest))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: 1\napps: {com.example.other: {}}\n", "flow style"),
        ("format: [1\n", "expected"),
        ("- 1\n", "expected a manifest"),
        ("format: 1\n", "no `apps:`"),
        (
            "format: 1\nx: &n {version: '1.0'}\napps:\n  com.example.notes:\n    ios: *n\n",
            "anchor or alias",
        ),
    ],
)
def test_update_refuses_a_file_it_cannot_edit_safely(text: str, message: str) -> None:
    state = seed_state()
    with pytest.raises(ValueError, match=message):
        update_document(text, imported(state, ["com.example.notes"]))


def test_update_of_a_file_with_nothing_under_apps_appends() -> None:
    state = seed_state()
    after = update_document("format: 1\napps:\n", imported(state, ["com.example.notes"]))
    assert_no_changes(plan_of(state, load_text(after, "bare.yaml")))


# A person's file: the scenario's random manifest, written as a person might, with comments.


def hand_written(manifest: Manifest, draw: st.DrawFn) -> str:
    step = draw(st.sampled_from([2, 4]))
    gap = [""] if draw(st.booleans()) else []

    def pad(level: int) -> str:
        return " " * (step * level)

    defaults: dict[str, Any] = {}
    if draw(st.booleans()):
        defaults["copyright"] = draw(st.sampled_from(["2026 Example Inc.", ""]))
    if draw(st.booleans()):
        defaults["release_type"] = draw(st.sampled_from(["manual", "after_approval"]))
    lines = ["# a person's manifest", "format: 1", ""]
    if defaults:
        lines += ["defaults:  # theirs"] + [
            line for k, v in defaults.items() for line in key_lines(k, v, indent=step, step=step)
        ]
    lines.append("apps:")
    for bundle_id, entry in manifest.apps.items():
        lines += [*gap, f"{pad(1)}{bundle_id}:  # {bundle_id}"]
        for platform, spec in entry.platforms().items():
            if spec == "absent" or draw(st.integers(0, 9)) == 0:
                lines.append(f"{pad(2)}{platform.value}: absent")
                continue
            lines.append(f"{pad(2)}{platform.value}:")
            for key, value in spec.model_dump(mode="json", exclude_none=True).items():
                written = key_lines(key, value, indent=3 * step, step=step)
                if draw(st.booleans()) and len(written) == 1:
                    written[0] += "  # note"
                lines += written
            if draw(st.booleans()):
                lines.append(f"{pad(3)}# a comment after the entry")
    lines.append("# the end")
    return "\n".join(lines) + "\n"


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios(), data=st.data())
def test_update_of_a_hand_written_file_plans_no_changes_and_keeps_the_other_apps(
    scenario: Scenario, data: st.DataObject
) -> None:
    state = build(scenario)
    before = hand_written(scenario.manifest, data.draw)
    declared = sorted(scenario.manifest.apps)
    every = sorted(app.bundle_id for app in state)
    refreshed = data.draw(st.lists(st.sampled_from(every), unique=True, min_size=1))
    after = update_document(before, imported(state, refreshed))
    try:
        manifest = load_text(after, "theirs.yaml")
    except ManifestError as error:
        raise AssertionError(f"{error}\n{after}") from None
    plan = plan_of(state, manifest)
    mine = [x for x in (*plan.changes, *plan.deferred, *plan.errors) if x.app in refreshed]
    assert mine == [], (
        f"{mine}\n--- before\n{before}--- after\n{after}\n{imported(state, refreshed)}"
    )
    kept = [b for b in declared if b not in refreshed]
    for bundle_id in kept:  # byte for byte, from its key to the next app's
        assert _block(before, bundle_id) == _block(after, bundle_id)
    assert after.startswith(before[: before.index("apps:")])
    assert after.endswith("# the end\n")


def _block(text: str, bundle_id: str) -> str:
    start = text.index(f"{bundle_id}:  # {bundle_id}\n")
    after_key = text.index("\n", start)
    next_app = re.compile(r"\n *com\.example[\w.]*:")  # the next app's key, or the file's end
    found = next_app.search(text, after_key)
    return text[start : found.start() if found else text.index("\n# the end")]
