"""Query parameters for JSON:API list and read requests (FACTS §3).

Arrays are comma-joined (`style: form, explode: false`); `limit` is at most 200 and
`limit[relationship]` at most 50, checked here so a bad value fails before any request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["MAX_INCLUDED_LIMIT", "MAX_LIMIT", "ParamValue", "check_params", "query"]

MAX_LIMIT = 200
MAX_INCLUDED_LIMIT = 50

ParamValue = str | int | bool | Sequence[str]


def query(
    *,
    include: Sequence[str] = (),
    fields: Mapping[str, Sequence[str]] | None = None,
    filters: Mapping[str, str | Sequence[str]] | None = None,
    limit: int | None = None,
    limits: Mapping[str, int] | None = None,
    sort: Sequence[str] = (),
) -> dict[str, str]:
    """Build query parameters: `include=a,b`, `fields[type]=x,y`, `filter[name]=v1,v2`,
    `limit=N`, `limit[relationship]=N`, `sort=a,-b`. Raises ValueError on a bad value."""
    params: dict[str, ParamValue] = {}
    if include:
        params["include"] = include
    for type_, names in (fields or {}).items():
        params[f"fields[{type_}]"] = names
    for name, values in (filters or {}).items():
        params[f"filter[{name}]"] = values
    if limit is not None:
        params["limit"] = limit
    for relationship, value in (limits or {}).items():
        params[f"limit[{relationship}]"] = value
    if sort:
        params["sort"] = sort
    return check_params(params)


def check_params(params: Mapping[str, ParamValue]) -> dict[str, str]:
    """Check limits and join lists; return the parameters as strings ready to send."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if name == "limit" or name.startswith("limit["):
            out[name] = str(_check_limit(name, value))
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, str | int):
            out[name] = str(value)
        else:
            out[name] = _join(name, value)
    return out


def _check_limit(name: str, value: ParamValue) -> int:
    top = MAX_LIMIT if name == "limit" else MAX_INCLUDED_LIMIT
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{name} must be an integer from 1 to {top}, not {value!r}")
    number = int(value) if isinstance(value, int) or value.isdigit() else -1
    if not 1 <= number <= top:
        raise ValueError(f"{name} must be an integer from 1 to {top}, not {value!r}")
    return number


def _join(name: str, values: Sequence[str]) -> str:
    items = list(values)
    if not items:
        raise ValueError(f"{name} needs at least one value")
    for item in items:
        if not item or "," in item:
            raise ValueError(f"{name}: {item!r} cannot be sent in a comma-separated list")
    return ",".join(items)
