"""Following `links.next` safely: where the next page is fetched, and how many pages a list
may take.

Apple's `links.next` is an absolute URL on Apple's host. Through a pass-through proxy
(`ASC_API_BASE_URL`), that link is followed through the configured base, so the token only
ever goes to the configured host; a link to any other host is refused. A list stops at what
`meta.paging.total` announced (plus one page of slack) and at MAX_PAGES in any case, which
keeps one runaway list well inside the hourly budget of 3,500 requests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

import httpx

from reconciler.errors import UnexpectedResponseError

__all__ = ["APPLE_ORIGIN", "MAX_PAGES", "Pager"]

APPLE_ORIGIN = ("https", "api.appstoreconnect.apple.com", None)
MAX_PAGES = 200


@dataclass
class Pager:
    """The pages of one list: call `next_url` with each page's document, in order."""

    base: httpx.URL
    method: str
    path: str
    pages: int = 0
    seen: set[str] = field(default_factory=set)

    def next_url(self, document: Mapping[str, Any], data: list[Any]) -> str | None:
        """Where to fetch the next page from, or None when this page is the last."""
        self.pages += 1
        links = document.get("links")
        following = links.get("next") if isinstance(links, Mapping) else None
        if not following:
            return None
        if not isinstance(following, str) or following in self.seen:
            self._refuse("links.next loops or is not a string")
        target = self._through_base(following)
        if not data:
            self._refuse("an empty page links to a next one")
        if self.pages >= min(MAX_PAGES, _announced_pages(document)):
            self._refuse(f"more pages than announced (stopped after {self.pages})")
        self.seen.add(following)
        return target

    def _through_base(self, url: str) -> str:
        target = httpx.URL(url)
        if not target.is_absolute_url:
            return url  # relative (or scheme-relative): httpx keeps it on the base host
        origin = (target.scheme, target.host, target.port)
        if origin == (self.base.scheme, self.base.host, self.base.port):
            return url
        if origin == APPLE_ORIGIN:
            # Apple's own link through a proxy: the same path and query, on the base.
            return target.raw_path.decode("ascii")
        self._refuse("links.next points at another host")

    def _refuse(self, reason: str) -> NoReturn:
        raise UnexpectedResponseError(self.method, self.path, reason)


def _announced_pages(document: Mapping[str, Any]) -> int:
    """Pages the list announced in `meta.paging` (total / limit), plus one; else MAX_PAGES."""
    meta = document.get("meta")
    paging = meta.get("paging") if isinstance(meta, Mapping) else None
    if not isinstance(paging, Mapping):
        return MAX_PAGES
    total, limit = paging.get("total"), paging.get("limit")
    if not (isinstance(total, int) and isinstance(limit, int)) or total < 0 or limit <= 0:
        return MAX_PAGES
    return math.ceil(total / limit) + 1
