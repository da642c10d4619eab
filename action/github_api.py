"""The few GitHub REST calls the action makes, over urllib (standard library only).

The token is sent in a header and never appears in a message: errors name the method, the
path and GitHub's own message.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["GitHub", "GitHubError"]

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubError(Exception):
    """A GitHub API call that failed: what was asked and what GitHub answered."""


class GitHub:
    def __init__(self, api_url: str, token: str, repository: str, timeout: float = 30) -> None:
        if not token:
            raise GitHubError("no token: set the action's github-token input")
        self.api_url = api_url.rstrip("/")
        self.repository = repository
        self._token = token
        self._timeout = timeout

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> GitHub:
        return cls(
            environ.get("GITHUB_API_URL", "https://api.github.com"),
            environ.get("GITHUB_TOKEN", ""),
            environ.get("GITHUB_REPOSITORY", ""),
        )

    def request(self, method: str, path: str, body: Any = None) -> tuple[Any, str]:
        """The answer's JSON and the URL of its next page ("" on the last)."""
        url = path if path.startswith(self.api_url) else f"{self.api_url}/{path.lstrip('/')}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        shown = url.removeprefix(self.api_url)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:
                text = answer.read().decode()
                link = answer.headers.get("Link", "")
        except urllib.error.HTTPError as error:
            raise GitHubError(f"{method} {shown}: {error.code} {_message(error)}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise GitHubError(f"{method} {shown}: {getattr(error, 'reason', error)}") from None
        found = _NEXT.search(link)
        return (json.loads(text) if text else None), (found.group(1) if found else "")

    def pages(self, path: str, key: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a listing, following its Link: rel="next" pages; `key` names the list
        in answers that wrap it (`{"workflow_runs": [...]}`)."""
        url = path
        while url:
            answer, url = self.request("GET", url)
            yield from (answer[key] if key else answer)


def _message(error: urllib.error.HTTPError) -> str:
    try:
        with error:
            body = json.loads(error.read().decode() or "{}")
    except (ValueError, UnicodeDecodeError, OSError):
        return str(error.reason)
    return str(body.get("message") or error.reason) if isinstance(body, dict) else str(error.reason)
