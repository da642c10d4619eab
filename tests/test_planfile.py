"""Saved plans in words: what `apply PLANFILE` says moved in App Store Connect ("stale plan"),
what changed in the manifests, and how a file that is no plan is refused."""

from __future__ import annotations

import json

import pytest

from reconciler.errors import PlanFileError, StalePlanError
from reconciler.manifest import AppEntry, Manifest, PlatformRelease, ReleaseType
from reconciler.plan import Plan
from reconciler.planfile import (
    json_value,
    manifest_differences,
    moved_objects,
    printable,
    read_saved_plan,
    saved_plan_text,
)
from reconciler.state import (
    RemoteApp,
    RemoteBuild,
    RemoteLocalization,
    RemotePhasedRelease,
    RemoteState,
    RemoteVersion,
    VersionChildren,
)

NOTES = "com.example.notes"


def _version(
    id: str = "v1", version_string: str = "3.1.0", platform: str = "IOS", **fields: str | None
) -> RemoteVersion:
    state = fields.pop("state", None) or "PREPARE_FOR_SUBMISSION"
    return RemoteVersion(
        id=id, platform=platform, version_string=version_string, state=state, **fields
    )


def _account(*versions: RemoteVersion, app_id: str = "2234567890", **others: str) -> RemoteState:
    """Notes with `versions`, and an app with no versions for each other bundle id -> app id."""
    apps = {NOTES: RemoteApp(id=app_id, bundle_id=NOTES, versions=versions)}
    apps |= {bundle_id: RemoteApp(id=id, bundle_id=bundle_id) for bundle_id, id in others.items()}
    return RemoteState(apps=apps)


# --- moved_objects: the stale-plan lines -----------------------------------------------------


def test_nothing_moved_is_no_line() -> None:
    assert moved_objects(_account(_version()), _account(_version())) == []


def test_an_app_that_moved_out_of_the_account_or_into_it() -> None:
    planned = _account(_version(), **{"com.example.chess": "4234567890"})
    now = _account(_version(), **{"com.example.weather": "1234567890"})
    assert moved_objects(planned, now) == [
        "com.example.chess: app is gone",
        "com.example.weather: app appeared",
    ]


def test_a_changed_app_id() -> None:
    moved = moved_objects(_account(_version()), _account(_version(), app_id="9999999999"))
    assert moved == ['com.example.notes: app id "2234567890" -> "9999999999"']


def test_a_vanished_version_and_a_new_one() -> None:
    planned = _account(_version("v1", "3.1.0"))
    now = _account(_version("v2", "3.2.0", state="WAITING_FOR_REVIEW"))
    assert moved_objects(planned, now) == [
        "com.example.notes ios 3.1.0 (id v1): version is gone",
        "com.example.notes ios 3.2.0 (id v2): new version appeared (WAITING_FOR_REVIEW)",
    ]


def test_each_changed_field_with_its_json_values_and_the_name_it_had() -> None:
    planned = _account(_version(copyright="2026 Example Inc.", release_type=None))
    now = _account(_version(version_string="3.1.1", release_type="MANUAL"))
    assert moved_objects(planned, now) == [
        'com.example.notes ios 3.1.0 (id v1): version_string "3.1.0" -> "3.1.1"',
        'com.example.notes ios 3.1.0 (id v1): release_type null -> "MANUAL"',
        'com.example.notes ios 3.1.0 (id v1): copyright "2026 Example Inc." -> null',
    ]


def test_a_platform_apple_added_later_is_named_as_apple_names_it() -> None:
    gone = _account(_version("v9", "1.0", platform="WATCH_OS"))
    assert moved_objects(gone, _account()) == [
        "com.example.notes WATCH_OS 1.0 (id v9): version is gone"
    ]


def test_what_apple_sent_is_escaped_in_the_lines() -> None:
    planned = _account(_version("v1", "3.1.0"))
    now = _account(_version("v1\x1b[2J", "3.1.0\n"))
    assert moved_objects(planned, now) == [
        "com.example.notes ios 3.1.0 (id v1): version is gone",
        "com.example.notes ios 3.1.0\\n (id v1\\x1b[2J): new version appeared "
        "(PREPARE_FOR_SUBMISSION)",
    ]


def _with_children(
    notes: str | None = "Faster.", phased: str | None = "INACTIVE", build: str | None = None
) -> RemoteState:
    children = VersionChildren(
        localizations=(
            RemoteLocalization(id="loc-de", locale="de-DE", whats_new=notes),
            RemoteLocalization(id="loc-en", locale="en-US", whats_new="Faster."),
        ),
        build=RemoteBuild(id=build, number="2040") if build else None,
        phased_release=RemotePhasedRelease(id="pr-1", state=phased) if phased else None,
    )
    return _account(_version(children=None).model_copy(update={"children": children}))


def test_a_release_note_edited_in_the_web_interface_names_the_locale() -> None:
    moved = moved_objects(_with_children(), _with_children(notes="Schneller."))
    assert moved == [
        'com.example.notes localization de-DE of ios 3.1.0: release_notes "Faster." -> "Schneller."'
    ]


def test_a_phased_release_and_a_build_that_moved_are_named() -> None:
    moved = moved_objects(_with_children(), _with_children(phased=None, build="b-1"))
    assert moved == [
        'com.example.notes attached build of ios 3.1.0: build null -> "b-1"',
        'com.example.notes attached build of ios 3.1.0: number null -> "2040"',
        "com.example.notes phased release of ios 3.1.0: is gone",
    ]


def test_a_new_build_uploaded_between_plan_and_apply_moves_the_app() -> None:
    build = RemoteBuild(id="b-2", number="2041", train="3.1.0", platform="IOS")
    planned = _account(_version())
    now = RemoteState(apps={NOTES: planned.apps[NOTES].model_copy(update={"builds": (build,)})})
    assert moved_objects(planned, now) == ["com.example.notes build 2041 of ios 3.1.0: appeared"]
    assert planned.fingerprints() != now.fingerprints()


def test_the_stale_plan_error_lists_every_line_and_says_what_to_do() -> None:
    planned = _account(_version(), **{"com.example.chess": "4234567890"})
    moved = moved_objects(planned, _account(app_id="1"))
    assert str(StalePlanError(moved)) == (
        "stale plan: App Store Connect changed since this plan was made; nothing was applied.\n"
        "  - com.example.chess: app is gone\n"
        '  - com.example.notes: app id "2234567890" -> "1"\n'
        "  - com.example.notes ios 3.1.0 (id v1): version is gone\n"
        "Run `reconciler plan --out` again and review the new plan."
    )


# --- manifest_differences: "the plan was made from a different manifest" --------------------


def _manifest(**apps: AppEntry) -> Manifest:
    return Manifest(apps=apps)


def test_apps_added_removed_and_changed_in_the_manifest() -> None:
    ios = PlatformRelease(version="3.1.0")
    planned = _manifest(**{NOTES: AppEntry(ios=ios), "com.example.chess": AppEntry(ios=ios)})
    now = _manifest(
        **{
            NOTES: AppEntry(ios=ios.model_copy(update={"release_type": ReleaseType.MANUAL})),
            "com.example.weather": AppEntry(ios=ios),
        }
    )
    assert manifest_differences(planned, now) == [
        "com.example.chess: in the plan's manifest, no longer in the manifest",
        "com.example.notes: ios differs",
        "com.example.weather: not in the plan's manifest",
    ]
    both = _manifest(**{NOTES: AppEntry(app_id="1", macos=ios)})
    assert manifest_differences(planned, both)[1] == "com.example.notes: app_id, ios, macos differ"
    assert manifest_differences(planned, planned) == []


# --- saved plans, and files that are none ----------------------------------------------


def test_a_saved_plan_reads_back_as_saved_and_an_edit_is_noticed() -> None:
    desired = _manifest(**{NOTES: AppEntry(ios=PlatformRelease(version="3.2.0"))})
    remote = _account(_version())
    text = saved_plan_text(
        manifests=["releases.yaml"],
        desired=desired,
        remote=remote,
        plan=Plan(),
        reconciler_version="0.1.0",
    )
    saved = read_saved_plan(text, "p.json")
    assert (saved.desired, saved.remote, saved.manifests) == (desired, remote, ("releases.yaml",))
    with pytest.raises(PlanFileError) as edited:
        read_saved_plan(text.replace('"3.1.0"', '"3.0.0"'), "p.json")  # what was read, edited
    assert str(edited.value) == (
        "p.json: the plan file was changed after it was saved; make the plan again"
    )
    older = json.dumps(json.loads(text) | {"format_version": "1"})
    with pytest.raises(PlanFileError, match='plan file format "1" was saved by an older'):
        read_saved_plan(older, "p.json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "p.json: not a plan file (invalid JSON: Expecting property name enclosed in"),
        ('{"x": ' + "[" * 100_000, "p.json: not a plan file (nested too deeply)"),
        ('{"format_version": ' + "9" * 5000 + "}", "p.json: damaged plan file (a number too long"),
        ("[]", "p.json: not a plan file saved by `reconciler plan --out`"),
        ('{"format_version": "2", "changes": [], "summary": {}}', "the JSON report of `plan"),
        ('{"format_version": 3}', 'plan file format 3 is not one this reconciler reads ("2")'),
        ('{"format_version": "2", "plan": 1}', "p.json: damaged plan file ("),
    ],
)
def test_a_file_that_is_no_saved_plan_is_named_for_what_it_is(text: str, message: str) -> None:
    with pytest.raises(PlanFileError) as refused:
        read_saved_plan(text, "p.json")
    assert message in str(refused.value)


def test_values_are_shown_as_json_cut_short_and_text_escaped() -> None:
    assert json_value(None) == "null" and json_value("a") == '"a"'
    long = json_value("x" * 500)
    assert len(long) == 200 and long.endswith("…")
    assert printable("com.example.app") == "com.example.app"
    assert printable("a\x1b[2J\nb\u202e") == "a\\x1b[2J\\nb\\u202e"
