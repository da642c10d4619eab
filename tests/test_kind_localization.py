"""Release notes and promotional text on plain values (FACTS-2 R15-R20), through make_plan,
and the localization kind's request bodies, lookup and read-back."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.kinds import created_key, kind
from reconciler.manifest import AppEntry, Manifest, Platform, PlatformRelease
from reconciler.plan import Action, Change, Deferral, Plan, PlanProblem
from reconciler.planner import make_plan
from reconciler.state import (
    RemoteApp,
    RemoteLocalization,
    RemoteState,
    RemoteVersion,
    VersionChildren,
)
from tests.profiles import examples

BUNDLE = "com.example.app"
KIND = kind("localization")


def _loc(locale: str, notes: str | None = None, promo: str | None = None) -> RemoteLocalization:
    return RemoteLocalization(
        id=f"loc-{locale}", locale=locale, whats_new=notes, promotional_text=promo
    )


def _version(
    vid: str, string: str, state: str, *locs: RemoteLocalization, platform: str = "IOS"
) -> RemoteVersion:
    return RemoteVersion(
        id=vid,
        platform=platform,
        version_string=string,
        state=state,
        children=VersionChildren(localizations=locs),
    )


def _plan(
    release: dict[str, Any],
    *versions: RemoteVersion,
    primary_locale: str | None = "en-US",
    platform: str = "ios",
) -> Plan:
    manifest = Manifest(apps={BUNDLE: AppEntry(**{platform: PlatformRelease(**release)})})
    app = RemoteApp(
        id="100", bundle_id=BUNDLE, primary_locale=primary_locale, versions=tuple(versions)
    )
    return make_plan(manifest, RemoteState(apps={BUNDLE: app}))


def _mine(plan: Plan) -> list[Change]:
    return [c for c in plan.changes if c.kind == "localization"]


def _released(*locs: RemoteLocalization) -> RemoteVersion:
    """An older version, so that the version planned is not the platform's first."""
    return _version("v0", "1.0", "READY_FOR_DISTRIBUTION", *locs)


# A missing locale: created while the version is editable and not yet submitted (R19).
@pytest.mark.parametrize(
    "state", ["PREPARE_FOR_SUBMISSION", "DEVELOPER_REJECTED", "REJECTED", "METADATA_REJECTED"]
)
def test_a_missing_locale_is_created_while_the_version_is_not_submitted(state: str) -> None:
    plan = _plan(
        {"version": "2.0", "release_notes": {"de-DE": "Schneller."}},
        _released(),
        _version("v1", "2.0", state, _loc("en-US", "Faster.")),
    )
    assert not plan.errors
    [change] = _mine(plan)
    assert (change.action, change.key, change.version_id) == (Action.CREATE, "de-DE", "v1")
    assert change.before is None and change.after == {"release_notes": "Schneller."}
    request = KIND.request(change, {})
    assert (request.method, request.path) == ("POST", "/v1/appStoreVersionLocalizations")
    assert request.body == {
        "data": {
            "type": "appStoreVersionLocalizations",
            "attributes": {"locale": "de-DE", "whatsNew": "Schneller."},
            "relationships": {
                "appStoreVersion": {"data": {"type": "appStoreVersions", "id": "v1"}}
            },
        }
    }


@pytest.mark.parametrize(
    "state",
    ["WAITING_FOR_REVIEW", "IN_REVIEW", "PENDING_DEVELOPER_RELEASE", "READY_FOR_DISTRIBUTION"],
)
@pytest.mark.parametrize("field", ["release_notes", "promotional_text"])
def test_a_missing_locale_after_submission_is_an_error(state: str, field: str) -> None:
    plan = _plan(
        {"version": "2.0", field: {"de-DE": "Neu."}},
        _released(),
        _version("v1", "2.0", state, _loc("en-US", "Faster.")),
    )
    assert not plan.changes
    [error] = plan.errors
    assert error.rule == "locale-cannot-be-added"
    assert state in error.message and "de-DE" in error.message


def test_only_the_attribute_that_differs_is_updated_and_locale_is_never_sent() -> None:
    plan = _plan(
        {
            "version": "2.0",
            "release_notes": {"en-US": "New notes."},
            "promotional_text": {"en-US": "Same."},
        },
        _released(),
        _version("v1", "2.0", "PREPARE_FOR_SUBMISSION", _loc("en-US", "Old notes.", "Same.")),
    )
    [change] = _mine(plan)
    assert (change.action, change.key, change.resource_id) == (Action.UPDATE, "en-US", "loc-en-US")
    assert change.before == {"release_notes": "Old notes."}
    assert change.after == {"release_notes": "New notes."}
    request = KIND.request(change, {})
    assert (request.method, request.path) == ("PATCH", "/v1/appStoreVersionLocalizations/loc-en-US")
    assert request.body == {
        "data": {
            "type": "appStoreVersionLocalizations",
            "id": "loc-en-US",
            "attributes": {"whatsNew": "New notes."},
        }
    }


def test_nothing_is_planned_when_every_locale_holds_its_text() -> None:
    plan = _plan(
        {"version": "2.0", "release_notes": {"en-US": "A."}, "promotional_text": {"en-US": "B."}},
        _released(),
        _version("v1", "2.0", "WAITING_FOR_REVIEW", _loc("en-US", "A.", "B.")),
    )
    assert plan == Plan()


def test_default_fills_every_locale_of_the_version_without_its_own_entry() -> None:
    plan = _plan(
        {"version": "2.0", "release_notes": {"default": "Bug fixes.", "de-DE": "Fehler behoben."}},
        _released(),
        _version(
            "v1",
            "2.0",
            "PREPARE_FOR_SUBMISSION",
            _loc("de-DE"),
            _loc("en-US", "Bug fixes."),  # already right: nothing to do
            _loc("fr-FR", "Ancien."),
            _loc("ja"),
        ),
    )
    assert not plan.errors
    got = {c.key: (c.action, c.after) for c in _mine(plan)}
    assert got == {
        "de-DE": (Action.UPDATE, {"release_notes": "Fehler behoben."}),
        "fr-FR": (Action.UPDATE, {"release_notes": "Bug fixes."}),
        "ja": (Action.UPDATE, {"release_notes": "Bug fixes."}),
    }


def test_a_locale_only_apple_has_is_left_alone() -> None:
    plan = _plan(
        {"version": "2.0", "release_notes": {"en-US": "Faster."}},
        _released(),
        _version(
            "v1", "2.0", "PREPARE_FOR_SUBMISSION", _loc("en-US", "Faster."), _loc("ja", "古い")
        ),
    )
    assert plan == Plan()  # never an implicit delete (R18)


# R15: no release notes on a platform's first version; promotional text is still planned.
def test_release_notes_on_the_first_version_are_an_error_and_promotional_text_still_planned() -> (
    None
):
    plan = _plan(
        {"version": "1.0", "release_notes": {"en-US": "Hi."}, "promotional_text": {"en-US": "P"}},
        _version("v1", "1.0", "PREPARE_FOR_SUBMISSION", _loc("en-US")),
    )
    [error] = plan.errors
    assert error.rule == "release-notes-first-version" and error.version == "1.0"
    [change] = _mine(plan)
    assert change.action is Action.UPDATE and change.after == {"promotional_text": "P"}


def test_the_first_version_is_counted_per_platform() -> None:
    ios = _released(_loc("en-US"))
    plan = _plan(
        {"version": "1.0", "release_notes": {"default": "Hi."}},
        ios,
        _version("m1", "1.0", "PREPARE_FOR_SUBMISSION", _loc("en-US"), platform="MAC_OS"),
        platform="macos",
    )
    [error] = plan.errors
    assert error.rule == "release-notes-first-version" and error.platform is Platform.MACOS
    assert "first macos version" in error.message
    assert not _mine(plan)


def test_the_first_version_to_be_created_gets_no_release_notes_but_its_promotional_text() -> None:
    plan = _plan(
        {"version": "1.0", "release_notes": {"default": "Hi."}, "promotional_text": {"en-US": "P"}}
    )
    assert [e.rule for e in plan.errors] == ["release-notes-first-version"]
    [change] = _mine(plan)
    assert (change.action, change.key, change.version_id) == (Action.CREATE, "en-US", None)
    assert change.after == {"promotional_text": "P"}


# R20 (our reading): promotional text may change on a live version, release notes may not.
def test_on_a_live_version_promotional_text_is_planned_and_release_notes_are_an_error() -> None:
    plan = _plan(
        {
            "version": "2.0",
            "release_notes": {"en-US": "Other notes."},
            "promotional_text": {"en-US": "Now with widgets."},
        },
        _version("v0", "1.0", "REPLACED_WITH_NEW_VERSION"),
        _version("v1", "2.0", "READY_FOR_DISTRIBUTION", _loc("en-US", "Notes.", "Old promo.")),
    )
    [change] = _mine(plan)
    assert change.action is Action.UPDATE
    assert change.before == {"promotional_text": "Old promo."}
    assert change.after == {"promotional_text": "Now with widgets."}
    [error] = plan.errors
    assert error.rule == "localization-not-editable"
    assert "release_notes of en-US" in error.message
    assert "READY_FOR_DISTRIBUTION" in error.message and "only promotional text" in error.message


def test_unchanged_release_notes_on_a_live_version_are_no_error() -> None:
    plan = _plan(
        {"version": "2.0", "release_notes": {"en-US": "Notes."}},
        _released(),
        _version("v1", "2.0", "READY_FOR_DISTRIBUTION", _loc("en-US", "Notes.")),
    )
    assert plan == Plan()


@pytest.mark.parametrize("state", ["IN_REVIEW", "PENDING_DEVELOPER_RELEASE"])
def test_in_review_or_pending_release_no_text_can_change(state: str) -> None:
    plan = _plan(
        {"version": "2.0", "release_notes": {"en-US": "B"}, "promotional_text": {"en-US": "B"}},
        _released(),
        _version("v1", "2.0", state, _loc("en-US", "A", "A")),
    )
    assert not plan.changes
    [error] = plan.errors
    assert error.rule == "localization-not-editable"
    assert "release_notes and promotional_text of en-US" in error.message


def test_release_notes_can_still_change_while_waiting_for_review() -> None:
    plan = _plan(
        {"version": "2.0", "release_notes": {"en-US": "B"}},
        _released(),
        _version("v1", "2.0", "WAITING_FOR_REVIEW", _loc("en-US", "A")),
    )
    assert [c.action for c in _mine(plan)] == [Action.UPDATE] and not plan.errors


# A perpetual diff is a bug: compare text the way Apple keeps it.
@pytest.mark.parametrize(
    ("manifest", "remote"),
    [
        ("Line one\nLine two", "Line one\r\nLine two\r\n"),
        ("Line one\r\nLine two\r\n", "Line one\nLine two"),
        ("  Padded.  \n", "Padded."),
        ("Padded.", " Padded.\n\n"),
    ],
)
def test_white_space_at_the_ends_and_crlf_are_no_difference(manifest: str, remote: str) -> None:
    plan = _plan(
        {
            "version": "2.0",
            "release_notes": {"en-US": manifest},
            "promotional_text": {"de-DE": manifest},
        },
        _released(),
        _version(
            "v1",
            "2.0",
            "PREPARE_FOR_SUBMISSION",
            _loc("en-US", remote),
            _loc("de-DE", None, remote),
        ),
    )
    assert plan == Plan()


def test_the_text_sent_is_the_normalised_text() -> None:
    plan = _plan(
        {"version": "2.0", "release_notes": {"en-US": "  One\r\nTwo\r\n"}},
        _released(),
        _version("v1", "2.0", "PREPARE_FOR_SUBMISSION", _loc("en-US", "Old")),
    )
    [change] = _mine(plan)
    assert KIND.request(change, {}).body["data"]["attributes"] == {"whatsNew": "One\nTwo"}


# A version created in the same run: Apple copies the previous version's locales (§9.3).
def test_a_version_to_be_created_gets_its_notes_over_the_previous_versions_locales() -> None:
    plan = _plan(
        {
            "version": "2.0",
            "release_notes": {"default": "Bug fixes.", "ja": "修正"},
            "promotional_text": {"en-US": "Promo"},
        },
        _version("v0", "1.0", "READY_FOR_DISTRIBUTION", _loc("en-US", "Old"), _loc("fr-FR")),
    )
    assert not plan.errors
    assert plan.changes[0].kind == "version" and plan.changes[0].action is Action.CREATE
    mine = _mine(plan)
    assert {c.key: c.after for c in mine} == {
        "en-US": {"release_notes": "Bug fixes.", "promotional_text": "Promo"},
        "fr-FR": {"release_notes": "Bug fixes."},
        "ja": {"release_notes": "修正"},
    }
    assert all(c.action is Action.CREATE and c.version_id is None for c in mine)
    # The new version's id comes from the run, under the version's created key.
    ids = {created_key(mine[0]): "new-v"}
    assert created_key(mine[0]) == f"version:{BUNDLE}:ios:2.0"
    body = KIND.request(mine[0], ids).body
    assert body is not None
    assert body["data"]["relationships"] == {
        "appStoreVersion": {"data": {"type": "appStoreVersions", "id": "new-v"}}
    }
    lookup = KIND.lookup(mine[0], ids)
    assert lookup.path == "/v1/appStoreVersions/new-v/appStoreVersionLocalizations"
    assert lookup.params["limit"] == "50"


def test_a_version_to_be_created_after_one_whose_locales_were_not_read_uses_the_primary() -> None:
    plan = _plan(
        {"version": "2.0", "release_notes": {"default": "Bug fixes."}},
        RemoteVersion(
            id="v0", platform="IOS", version_string="1.0", state="READY_FOR_DISTRIBUTION"
        ),
        primary_locale="de-DE",
    )
    assert {c.key: c.after for c in _mine(plan)} == {"de-DE": {"release_notes": "Bug fixes."}}


def test_a_deferred_version_plans_no_localizations() -> None:
    plan = _plan(
        {"version": "3.0", "release_notes": {"default": "x"}, "promotional_text": {"en-US": "y"}},
        _released(_loc("en-US")),
        _version("v1", "2.0", "IN_REVIEW", _loc("en-US")),
    )
    [deferral] = plan.deferred
    assert isinstance(deferral, Deferral) and deferral.kind == "version"
    assert not plan.changes and not plan.errors


@pytest.mark.parametrize(
    "versions",
    [
        # version-not-greater
        (("v0", "3.0", "READY_FOR_DISTRIBUTION"),),
        # version-not-editable (its copyright differs)
        (("v0", "1.0", "READY_FOR_DISTRIBUTION"), ("v1", "2.0", "IN_REVIEW")),
    ],
)
def test_a_blocked_version_plans_no_localizations(
    versions: tuple[tuple[str, str, str], ...],
) -> None:
    remote = [_version(*v, _loc("en-US")) for v in versions]
    plan = _plan(
        {"version": "2.0", "copyright": "new", "release_notes": {"de-DE": "x"}},
        *remote,
    )
    assert not plan.changes
    assert [e.rule for e in plan.errors] in (["version-not-greater"], ["version-not-editable"])


def test_a_renamed_version_has_its_own_localizations_updated() -> None:
    plan = _plan(
        {"version": "2.1", "release_notes": {"en-US": "New."}, "promotional_text": {"de-DE": "P"}},
        _released(),
        _version("v1", "2.0", "REJECTED", _loc("en-US", "Old.")),
    )
    assert not plan.errors
    version, *mine = plan.changes
    assert version.kind == "version" and version.after == {"version": "2.1"}
    assert {(c.action, c.key, c.version, c.version_id) for c in mine} == {
        (Action.UPDATE, "en-US", "2.1", "v1"),
        (Action.CREATE, "de-DE", "2.1", "v1"),
    }


def test_a_rejected_version_s_locale_set_reopens() -> None:
    plan = _plan(
        {"version": "2.0", "promotional_text": {"ko": "P"}},
        _released(),
        _version("v1", "2.0", "METADATA_REJECTED", _loc("en-US")),
    )
    assert [(c.action, c.key) for c in _mine(plan)] == [(Action.CREATE, "ko")]


# Read-back: adopting what Apple made with a new version, and checking what a write left.
def _create_change(after: dict[str, Any]) -> Change:
    return Change(
        kind="localization",
        app=BUNDLE,
        app_id="100",
        platform=Platform.IOS,
        action=Action.CREATE,
        version="2.0",
        key="en-US",
        after=after,
    )


def test_a_localization_apple_made_is_settled_with_only_what_differs() -> None:
    change = _create_change({"release_notes": "New.", "promotional_text": "P"})
    made = {"id": "L9", "attributes": {"locale": "en-US", "whatsNew": None, "promotionalText": "P"}}
    assert not KIND.holds(change, made)
    settle = KIND.settle(change, made)
    assert settle is not None
    assert (settle.method, settle.path) == ("PATCH", "/v1/appStoreVersionLocalizations/L9")
    assert settle.body == {
        "data": {
            "type": "appStoreVersionLocalizations",
            "id": "L9",
            "attributes": {"whatsNew": "New."},
        }
    }


def test_a_localization_that_holds_its_text_needs_no_settling() -> None:
    change = _create_change({"release_notes": "One\nTwo"})
    found = {"id": "L9", "attributes": {"locale": "en-US", "whatsNew": "One\r\nTwo\n"}}
    assert KIND.holds(change, found)
    assert KIND.settle(change, found) is None


def test_lookup_finds_the_localization_by_its_locale() -> None:
    change = _create_change({"release_notes": "x"})
    lookup = KIND.lookup(change, {created_key(change): "new-v"})
    resources = [
        {"id": "a", "attributes": {"locale": "de-DE"}},
        {"id": "b", "attributes": {"locale": "en-US"}},
    ]
    assert lookup.find(resources) == resources[1]
    assert lookup.find(resources[:1]) is None
    assert KIND.describe(change) == "localization en-US of 2.0"


def test_a_first_version_error_does_not_hide_the_versions_own_create() -> None:
    plan = _plan({"version": "1.0", "release_notes": {"en-US": "Hi."}})
    assert [c.kind for c in plan.changes] == ["version"]
    assert all(isinstance(e, PlanProblem) for e in plan.errors)


# Convergence: applying a plan's localization changes the way App Store Connect would (through
# the kind's own request bodies) leaves a plan with nothing to do. A perpetual diff is a bug.
_POOL = ["en-US", "de-DE", "ja", "fr-FR"]
_TEXTS = st.sampled_from(
    ["Faster.", " Faster.\n", "Faster.\r\n", "Bug fixes.", "Zwei\r\nZeilen", "  "]
)
_LOCALE_SETS = st.lists(st.sampled_from(_POOL), min_size=1, max_size=4, unique=True)


def _remote_locs(draw: st.DrawFn, locales: list[str]) -> tuple[RemoteLocalization, ...]:
    optional = st.one_of(st.none(), _TEXTS)
    return tuple(_loc(loc, draw(optional), draw(optional)) for loc in locales)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[RemoteVersion, ...], set[str]]:
    notes = draw(st.dictionaries(st.sampled_from([*_POOL, "default"]), _TEXTS, max_size=3))
    promo = draw(st.dictionaries(st.sampled_from(_POOL), _TEXTS, max_size=2))
    release: dict[str, Any] = {"version": "2.0", "release_notes": notes, "promotional_text": promo}
    previous = _version(
        "v0", "1.0", "READY_FOR_DISTRIBUTION", *_remote_locs(draw, draw(_LOCALE_SETS))
    )
    # Which fields Apple copies into a new version is not settled (§9.3): any of them.
    copies = draw(st.sets(st.sampled_from(["whats_new", "promotional_text"])))
    if draw(st.booleans()):  # the version exists and is editable, or is made by this run
        state = draw(st.sampled_from(["PREPARE_FOR_SUBMISSION", "REJECTED"]))
        current = _version("v1", "2.0", state, *_remote_locs(draw, draw(_LOCALE_SETS)))
        return release, (previous, current), copies
    return release, (previous,), copies


def _apply(
    plan: Plan, versions: tuple[RemoteVersion, ...], copies: set[str]
) -> tuple[RemoteVersion, ...]:
    """What App Store Connect holds after the plan: a new version has the previous one's
    locales, with the fields in `copies` copied (§9.3); each request is applied as sent."""
    by_id = {v.id: list(v.children.localizations if v.children else ()) for v in versions}
    made = list(versions)
    cleared = {name: None for name in {"whats_new", "promotional_text"} - copies}
    ids: dict[str, str] = {}
    for change in plan.changes:
        if change.kind == "version":
            assert change.action is Action.CREATE
            copied = [
                loc.model_copy(update={"id": f"new-{loc.locale}", **cleared}) for loc in by_id["v0"]
            ]
            by_id["new"] = copied
            made.append(
                RemoteVersion(
                    id="new", platform="IOS", version_string="2.0", state="PREPARE_FOR_SUBMISSION"
                )
            )
            ids[created_key(change)] = "new"
            continue
        request = KIND.request(change, ids)
        if request.method == "POST" and change.version_id is None:  # adopt what Apple made
            lookup = KIND.lookup(change, ids)
            resources = [_resource(loc) for loc in by_id["new"]]
            found = lookup.find(resources)
            if found is not None:
                settled = KIND.settle(change, found)
                if settled is not None:
                    _patch(by_id["new"], settled.body)
                assert KIND.holds(change, _resource(_find(by_id["new"], str(found["id"]))))
                continue
        if request.method == "POST":
            assert request.body is not None
            data = request.body["data"]
            vid = data["relationships"]["appStoreVersion"]["data"]["id"]
            attrs = data["attributes"]
            by_id[vid].append(
                RemoteLocalization(
                    id=f"{vid}-{attrs['locale']}",
                    locale=attrs["locale"],
                    whats_new=attrs.get("whatsNew"),
                    promotional_text=attrs.get("promotionalText"),
                )
            )
        else:
            assert request.method == "PATCH"
            _patch(by_id[str(change.version_id)], request.body)
    return tuple(
        v.model_copy(update={"children": VersionChildren(localizations=tuple(by_id[v.id]))})
        for v in made
    )


def _resource(loc: RemoteLocalization) -> dict[str, Any]:
    attributes = {
        "locale": loc.locale,
        "whatsNew": loc.whats_new,
        "promotionalText": loc.promotional_text,
    }
    return {"type": "appStoreVersionLocalizations", "id": loc.id, "attributes": attributes}


def _find(locs: list[RemoteLocalization], lid: str) -> RemoteLocalization:
    return next(loc for loc in locs if loc.id == lid)


def _patch(locs: list[RemoteLocalization], body: Any) -> None:
    data = body["data"]
    assert "locale" not in data["attributes"]  # never sent on PATCH
    index = next(i for i, loc in enumerate(locs) if loc.id == data["id"])
    names = {"whatsNew": "whats_new", "promotionalText": "promotional_text"}
    update = {names[k]: v for k, v in data["attributes"].items()}
    locs[index] = locs[index].model_copy(update=update)


@settings(max_examples=examples(300))
@given(_cases())
def test_a_plan_applied_as_sent_is_followed_by_no_changes(
    case: tuple[dict[str, Any], tuple[RemoteVersion, ...], set[str]],
) -> None:
    release, versions, copies = case
    plan = _plan(release, *versions)
    assert not plan.errors and not plan.deferred
    after = _apply(plan, versions, copies)
    again = _plan(release, *after)
    assert again == Plan(), (plan.changes, again.changes)


def test_an_empty_value_for_a_version_to_be_created_clears_what_apple_copies() -> None:
    plan = _plan(
        {"version": "2.0", "promotional_text": {"en-US": "  ", "ja": ""}},
        _version("v0", "1.0", "READY_FOR_DISTRIBUTION", _loc("en-US", None, "Old promo.")),
    )
    [change] = _mine(plan)  # ja: Apple makes none, and there is nothing to write
    assert (change.action, change.key, change.after) == (
        Action.CREATE,
        "en-US",
        {"promotional_text": None},
    )
    ids = {created_key(change): "new-v"}
    body = KIND.request(change, ids).body
    assert body is not None and body["data"]["attributes"] == {"locale": "en-US"}
    copied = {"id": "L1", "attributes": {"locale": "en-US", "promotionalText": "Old promo."}}
    settle = KIND.settle(change, copied)
    assert settle is not None and settle.body is not None
    assert settle.body["data"]["attributes"] == {"promotionalText": None}
    assert KIND.holds(change, {"id": "L1", "attributes": {"locale": "en-US"}})


def test_absent_and_unmanaged_text_plan_no_localizations() -> None:
    app = RemoteApp(id="100", bundle_id=BUNDLE, versions=(_released(_loc("en-US", "x")),))
    assert KIND.plan(app, Platform.IOS, "absent") == []
    assert KIND.plan(app, Platform.IOS, PlatformRelease(version="2.0")) == []


def test_a_resource_read_back_without_attributes_holds_nothing() -> None:
    change = _create_change({"release_notes": "x"})
    assert not KIND.holds(change, {"id": "L9"})
