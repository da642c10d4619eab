"""The release's version is written once, and the files a user reads agree with it."""

from __future__ import annotations

import re
import tomllib

from reconciler import __version__
from tests.worktree import ROOT


def test_the_version_is_read_from_reconciler_init_alone() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "reconciler/__init__.py"


def test_the_changelog_starts_with_this_release() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## (\S+)", changelog, flags=re.MULTILINE)
    assert releases, "CHANGELOG.md has no `## <version>` heading"
    assert releases[0] == __version__, "bump CHANGELOG.md with reconciler/__init__.py"


def test_the_install_guide_names_this_release() -> None:
    guide = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
    assert f"reconciler-{__version__}-py3-none-any.whl" in guide
    assert f"rev: v{__version__}" in guide
    assert f"# reconciler {__version__}" in guide  # what --version prints
