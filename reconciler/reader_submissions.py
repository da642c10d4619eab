"""The open review submissions of the apps a manifest submits (FACTS-2 §12, R27): one request
per such app, every platform at once, with the version each submission is for and its items'
count. Nothing is read for a manifest that submits nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from reconciler.asc import AscClient
from reconciler.kinds.submission import PATH, parse_submission, submissions_query
from reconciler.manifest import Manifest, Platform, PlatformRelease
from reconciler.pool import run_bounded
from reconciler.state import RemoteApp, RemoteSubmission

__all__ = ["open_submissions", "read_submissions"]


def read_submissions(
    client: AscClient,
    manifest: Manifest,
    apps: Mapping[str, RemoteApp],
    wanted: Mapping[str, set[Platform]],
    *,
    parallelism: int = 1,
) -> dict[str, RemoteApp]:
    """`apps`, those with a platform entry that submits given their open submissions."""
    reading = sorted(b for b in apps if _submits(manifest, b, wanted.get(b, set())))
    read = run_bounded(
        [partial(open_submissions, client, apps[b].id) for b in reading], parallelism
    )
    found = dict(zip(reading, read, strict=True))
    return {
        b: app.model_copy(update={"submissions": found[b]}) if b in found else app
        for b, app in apps.items()
    }


def open_submissions(
    client: AscClient, app_id: str, platform: str | None = None
) -> tuple[RemoteSubmission, ...]:
    data, _ = client.collect(PATH, submissions_query(app_id, platform))
    return tuple(sorted((parse_submission(raw) for raw in data), key=lambda s: s.id))


def _submits(manifest: Manifest, bundle_id: str, platforms: set[Platform]) -> bool:
    entry = manifest.apps.get(bundle_id)
    if entry is None:
        return False
    return any(
        isinstance(spec, PlatformRelease) and spec.submit is True and platform in platforms
        for platform, spec in entry.platforms().items()
    )
