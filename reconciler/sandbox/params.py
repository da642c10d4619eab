"""Query parameters: checked against the operation's parameter table, as Apple does.

Arrays are comma-separated (`style: form, explode: false`). An unknown parameter is
PARAMETER_ERROR.ILLEGAL; a bad value, or a limit above its maximum, PARAMETER_ERROR.INVALID, each
naming the parameter in `source.parameter`. `cursor` is accepted on collections although the
document does not list it: Apple's own `links.next` carries it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field

import httpx

from reconciler.sandbox import errors
from reconciler.sandbox.spec import Param

__all__ = ["Query", "decode_cursor", "encode_cursor", "parse_query"]

_DIGITS = re.compile(r"^[0-9]{1,9}$")


@dataclass
class Query:
    """Parsed parameters: lists split on commas, integers as int, booleans as bool."""

    lists: dict[str, list[str]] = field(default_factory=dict)
    ints: dict[str, int] = field(default_factory=dict)
    bools: dict[str, bool] = field(default_factory=dict)
    cursor: int = 0

    def values(self, name: str) -> list[str] | None:
        return self.lists.get(name)


def parse_query(url: httpx.URL, table: dict[str, Param], *, paged: bool) -> Query:
    """Check every parameter; raise the first problem as Apple's 400."""
    query = Query()
    for name, raw in _merged(url).items():
        if name == "cursor" and paged:
            offset = decode_cursor(raw)
            if offset is None:
                raise errors.parameter_invalid(
                    "cursor", f"'{raw}' is not a valid cursor for this request"
                )
            query.cursor = offset
            continue
        param = table.get(name)
        if param is None:
            raise errors.parameter_illegal(name)
        if param.kind == "int":
            query.ints[name] = _integer(name, raw, param.maximum)
        elif param.kind == "bool":
            if raw not in ("true", "false"):
                raise errors.parameter_invalid(name, f"'{raw}' is not a valid boolean value")
            query.bools[name] = raw == "true"
        else:
            query.lists[name] = _items(name, raw, param.values)
    return query


def _merged(url: httpx.URL) -> dict[str, str]:
    # A repeated parameter counts as one list, the way form-style arrays join.
    merged: dict[str, str] = {}
    for name, value in url.params.multi_items():
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def _integer(name: str, raw: str, maximum: int) -> int:
    if not _DIGITS.match(raw) or int(raw) < 1:
        raise errors.parameter_invalid(name, f"'{raw}' is not a valid integer value for '{name}'")
    value = int(raw)
    if value > maximum:
        raise errors.parameter_invalid(
            name, f"The value '{raw}' of '{name}' exceeds the maximum allowed value of {maximum}"
        )
    return value


def _items(name: str, raw: str, allowed: tuple[str, ...] | None) -> list[str]:
    items = raw.split(",")
    for item in items:
        if not item:
            raise errors.parameter_invalid(name, f"'{raw}' is not a valid value for '{name}'")
        if allowed is not None and item not in allowed:
            what = "field name" if name.startswith("fields[") else f"value for '{name}'"
            raise errors.parameter_invalid(name, f"'{item}' is not a valid {what}")
    return items


def encode_cursor(offset: int) -> str:
    """Apple's cursors are opaque; the sandbox's are base64 of {"offset": N}."""
    raw = json.dumps({"offset": str(offset)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        offset = json.loads(raw)["offset"]
        value = int(offset)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        return None
    return value if value >= 0 else None
