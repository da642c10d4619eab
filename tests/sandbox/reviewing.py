"""Helpers for the review-submission and release-request tests: an account with one update
ready for review, a client whose every answer is checked against Apple's OpenAPI subset, and the
three request bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from reconciler.sandbox import SandboxApp, SandboxState
from tests.sandbox.conformance import check
from tests.sandbox.conftest import BASE, fixed_clock

APPLE = Path(__file__).resolve().parents[1] / "fixtures" / "apple"
APP_ID = "6400000001"


def captured(name: str) -> Any:
    return json.loads((APPLE / name).read_text(encoding="utf-8"))


def account(
    *,
    first: bool = False,
    whats_new: str | None = "Bug fixes",
    build: str | None = "VALID",
    release_type: str = "AFTER_APPROVAL",
) -> tuple[SandboxState, str]:
    """An app with a live 1.0 (unless `first`) and a 1.1 being prepared, complete for review:
    one en-US localization with every text, a build of `build`'s processing state attached."""
    state = SandboxState()
    state.add_app("com.example.review", app_id=APP_ID)
    if not first:
        state.add_version(APP_ID, version_string="1.0", app_version_state="READY_FOR_DISTRIBUTION")
    version = state.add_version(APP_ID, version_string="1.1", release_type=release_type)
    state.add_localization(
        version,
        "en-US",
        description="A review app",
        keywords="review",
        support_url="https://example.com/support",
        whats_new=whats_new,
    )
    if build is not None:
        build_id = state.add_build(APP_ID, version="1.1", number="7", processing_state=build)
        state.attach_build(version, build_id)
    return state, version


def client(app: SandboxApp) -> httpx.Client:
    """Every answer is checked by the conformance checker before the test sees it."""

    def conforms(response: httpx.Response) -> None:
        response.read()
        check(response)

    return httpx.Client(
        transport=app.transport(), base_url=BASE, event_hooks={"response": [conforms]}
    )


def sandbox(state: SandboxState, faults: str | None = None) -> tuple[SandboxApp, httpx.Client]:
    app = SandboxApp(state, clock=fixed_clock, faults=faults)
    return app, client(app)


def submission_body(app_id: str = APP_ID, platform: str | None = "IOS") -> Any:
    data: dict[str, Any] = {
        "type": "reviewSubmissions",
        "relationships": {"app": {"data": {"type": "apps", "id": app_id}}},
    }
    if platform is not None:
        data["attributes"] = {"platform": platform}
    return {"data": data}


def item_body(submission_id: str, version_id: str) -> Any:
    return {
        "data": {
            "type": "reviewSubmissionItems",
            "relationships": {
                "reviewSubmission": {"data": {"type": "reviewSubmissions", "id": submission_id}},
                "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version_id}},
            },
        }
    }


def patch_body(submission_id: str, **attributes: Any) -> Any:
    return {"data": {"type": "reviewSubmissions", "id": submission_id, "attributes": attributes}}


def release_body(version_id: str) -> Any:
    return {
        "data": {
            "type": "appStoreVersionReleaseRequests",
            "relationships": {
                "appStoreVersion": {"data": {"type": "appStoreVersions", "id": version_id}}
            },
        }
    }


def version_state(http: httpx.Client, version_id: str) -> str:
    answer = http.get(f"/v1/appStoreVersions/{version_id}")
    return str(answer.json()["data"]["attributes"]["appVersionState"])


def without_ids(document: Any) -> Any:
    """An error document without the per-error `id`s Apple adds (the sandbox sends none)."""
    if isinstance(document, dict):
        return {k: without_ids(v) for k, v in document.items() if k != "id"}
    if isinstance(document, list):
        return [without_ids(v) for v in document]
    return document
