"""Request bodies for the client tests, made the way apply makes them: by the version kind."""

from __future__ import annotations

from typing import Any

from reconciler.kinds.version import KIND
from reconciler.manifest import Platform
from reconciler.plan import Action, Change


def create_body(app_id: str, platform: str, **after: Any) -> dict[str, Any]:
    """POST /v1/appStoreVersions for manifest-named attributes (`version="2.0"`)."""
    change = Change(
        app="com.example.any",
        app_id=app_id,
        platform=Platform.from_api(platform),
        action=Action.CREATE,
        version=after["version"],
        after=after,
    )
    return dict(KIND.request(change, {}).body or {})


def update_body(version_id: str, **after: Any) -> dict[str, Any]:
    """PATCH /v1/appStoreVersions/{id} for manifest-named attributes (`copyright="c"`)."""
    change = Change(
        app="com.example.any",
        app_id="1",
        platform=Platform.IOS,
        action=Action.UPDATE,
        version=after.get("version", "1.0"),
        version_id=version_id,
        after=after,
    )
    return dict(KIND.request(change, {}).body or {})
