"""Odd server answers about what hangs off a version: each is refused as an unexpected
response (exit 1, a clean message), never read as "none" and never a traceback.

The sandbox answers; a transport between it and the client edits the one answer under test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reconciler.asc import AscClient
from reconciler.errors import UnexpectedResponseError
from reconciler.manifest import AppEntry, Manifest, PlatformRelease
from reconciler.reader import read_state
from reconciler.sandbox import SandboxApp, SandboxState

BUNDLE = "com.example.odd"
Edit = Callable[[dict[str, Any]], None]


def _account() -> SandboxState:
    state = SandboxState()
    app_id = state.add_app(BUNDLE)
    state.add_version(app_id, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION")
    editable = state.add_version(app_id, version_string="1.1")
    state.add_localization(editable, "en-US", whats_new="Hi")
    state.add_phased_release(editable)
    state.attach_build(editable, state.add_build(app_id, version="1.1", number="5"))
    return state


MANIFEST = Manifest(
    apps={
        BUNDLE: AppEntry(
            ios=PlatformRelease(
                version="1.1", release_notes={"en-US": "x"}, build="5", phased_release=True
            )
        )
    }
)


def _read(edit_children: Edit | None = None, edit_builds: Edit | None = None) -> None:
    sandbox = SandboxApp(_account()).transport()

    def handler(request: httpx.Request) -> httpx.Response:
        answer = sandbox.handle_request(request)
        answer.read()
        path = request.url.path
        edit = None
        if path.endswith("/appStoreVersions") and "filter%5Bid%5D" in str(request.url):
            edit = edit_children
        elif path == "/v1/builds":
            edit = edit_builds
        if edit is None:
            return answer
        document = json.loads(answer.content)
        edit(document)
        return httpx.Response(answer.status_code, headers=answer.headers, json=document)

    with AscClient("https://sandbox.test", transport=httpx.MockTransport(handler)) as client:
        read_state(client, MANIFEST)


def _included(document: dict[str, Any], type_: str) -> dict[str, Any]:
    return next(r for r in document["included"] if r["type"] == type_)


def _relationships(document: dict[str, Any]) -> dict[str, Any]:
    relationships: dict[str, Any] = document["data"][0]["relationships"]
    return relationships


def test_the_untouched_answers_read_cleanly() -> None:
    _read()


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            lambda d: _included(d, "appStoreVersionLocalizations")["attributes"].pop("locale"),
            "no locale",
        ),
        (
            lambda d: _included(d, "appStoreVersionLocalizations").update(attributes=None),
            "no locale",
        ),
        (
            lambda d: _relationships(d)["appStoreVersionLocalizations"]["data"].append(
                dict(_relationships(d)["appStoreVersionLocalizations"]["data"][0])
            ),
            "repeated locale",
        ),
        (lambda d: _relationships(d)["build"].update(data=[]), "build linkage cannot be read"),
        (lambda d: _relationships(d)["build"].pop("data"), "build was not included"),
        (
            lambda d: _included(d, "appStoreVersionPhasedReleases")["attributes"].clear(),
            "no phasedReleaseState",
        ),
        (lambda d: d.update(included=[]), "is linked but not included"),
        (
            lambda d: _relationships(d)["appStoreVersionLocalizations"]["meta"]["paging"].update(
                total=51
            ),
            "51 localizations",
        ),
    ],
)
def test_an_odd_answer_about_a_versions_children_is_refused(edit: Edit, words: str) -> None:
    with pytest.raises(UnexpectedResponseError, match=words):
        _read(edit_children=edit)


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d["data"][0]["relationships"]["app"].pop("data"), "has no app"),
        (lambda d: _included(d, "preReleaseVersions").pop("id"), "has no id"),
        (
            lambda d: _included(d, "preReleaseVersions").update(type="betaGroups"),
            "pre-release version is not included",
        ),
    ],
)
def test_an_odd_answer_about_builds_is_refused(edit: Edit, words: str) -> None:
    with pytest.raises(UnexpectedResponseError, match=words):
        _read(edit_builds=edit)
