"""Install reconciler for the action into a virtual environment of its own.

A step of action.yml. With no `version` input it installs the action's own checkout
(GITHUB_ACTION_PATH): `uses: owner/reconciler@v1.2.0` runs exactly the code of that tag, the
same for the plan and for the apply of that plan, with nothing to keep in step. A `version`
of digits installs that release's tag of the action's own repository (not the package index:
the name `reconciler` there belongs to another project); anything else is handed to pip as a
requirement (a URL, a path).

Environment: RECONCILER_VERSION, GITHUB_ACTION_PATH, GITHUB_ACTION_REPOSITORY, RUNNER_TEMP.
Output: executable.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import venv
from collections.abc import Mapping
from pathlib import Path

from workflow_files import set_outputs

_RELEASE = re.compile(r"v?(\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?)")


def requirement(version: str, action_path: str, repository: str = "") -> str:
    """What pip installs for the `version` input."""
    version = version.strip()
    if not version:
        if not action_path:
            raise ValueError("no version given and no GITHUB_ACTION_PATH to install from")
        return action_path
    release = _RELEASE.fullmatch(version)
    if release is None:
        return version
    if not repository:
        raise ValueError(
            f"version {version}: no GITHUB_ACTION_REPOSITORY to take the release's tag from"
        )
    return f"reconciler @ git+https://github.com/{repository}@v{release.group(1)}"


def main(environ: Mapping[str, str] = os.environ) -> int:
    try:
        wanted = requirement(
            environ.get("RECONCILER_VERSION", ""),
            environ.get("GITHUB_ACTION_PATH", ""),
            environ.get("GITHUB_ACTION_REPOSITORY", ""),
        )
    except ValueError as error:
        sys.stderr.write(f"::error::{error}\n")
        return 1
    home = Path(environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "reconciler-venv"
    venv.create(home, with_pip=True, clear=True)
    python = home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    installed = subprocess.run([*pip, wanted], check=False)
    if installed.returncode:
        sys.stderr.write(f"::error::pip could not install {wanted}\n")
        return 1
    executable = home / ("Scripts/reconciler.exe" if os.name == "nt" else "bin/reconciler")
    subprocess.run([str(executable), "--version"], check=False)
    set_outputs({"executable": str(executable)}, environ)
    return 0


if __name__ == "__main__":
    sys.exit(main())
