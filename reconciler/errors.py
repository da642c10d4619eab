"""Every error a user can see, as one small tree.

    ReconcilerError                 expected failures: exit 1, a message, no traceback
    ├── ManifestError               the manifest is invalid; carries every problem at once
    ├── UsageError                  a command-line or input file problem that is not a manifest
    ├── CredentialsError            credentials missing, malformed or of the wrong kind
    ├── PlanFileError               a saved plan file is unreadable or of an unknown format
    ├── StalePlanError              the remote state moved since the saved plan was made
    ├── BudgetError                 an apply would not fit in the hourly request budget left
    └── AscError                    talking to App Store Connect failed
        ├── ApiError                Apple answered with errors[] (status, every entry kept)
        │   └── CredentialsRejectedError   401 even after minting a fresh token
        ├── TransportError          no usable answer (connection, timeout, 5xx) after bounded
        │                           retries; for a write: nothing reached Apple (safe to retry)
        ├── AmbiguousWriteError     a write's outcome is unknown: the body was sent, no clear answer
        └── UnexpectedResponseError a 2xx answer we cannot read (not JSON, not JSON:API)

Messages say what happened and what to do next. `cli.py` maps these to exit codes.
Messages never contain a private key or a token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "AmbiguousWriteError",
    "ApiError",
    "ApiErrorEntry",
    "AscError",
    "BudgetError",
    "CredentialsError",
    "CredentialsRejectedError",
    "ManifestError",
    "PlanFileError",
    "Problem",
    "ReconcilerError",
    "StalePlanError",
    "TransportError",
    "UnexpectedResponseError",
    "UsageError",
    "printable",
]


class ReconcilerError(Exception):
    """Base of every expected failure; the CLI prints str(error) and exits 1."""


def printable(text: str) -> str:
    """`text` with every unprintable character (ESC, newline, bidi override …) escaped, so
    that a key or file name from a manifest can neither move the cursor nor split a line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


@dataclass(frozen=True, order=True)
class Problem:
    """One manifest problem, located at file:line:column (1-based) with its field path."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        # line 0: the problem is with the path itself (missing file, empty folder).
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return printable(text)


class ManifestError(ReconcilerError):
    """The manifest is invalid. `problems` lists every problem found, sorted by place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        lines = [str(p) for p in self.problems]
        lines.append(
            f"{count} problem{'s' if count != 1 else ''} found; the manifest is not valid."
        )
        super().__init__("\n".join(lines))


class UsageError(ReconcilerError):
    """Bad command-line input that is not a manifest problem (e.g. a bad --target)."""


class CredentialsError(ReconcilerError):
    """Credentials are missing or unusable. The message names the variable, never its value."""


class PlanFileError(ReconcilerError):
    """A saved plan file cannot be used: unreadable, damaged, of an unknown format, or made
    from another desired state than the manifests it records give now."""


class BudgetError(ReconcilerError):
    """An apply would not fit in the hourly request budget left; nothing was written."""


class StalePlanError(ReconcilerError):
    """App Store Connect changed since the plan was saved; nothing was written."""

    def __init__(self, moved: list[str]) -> None:
        self.moved = moved
        body = "\n".join(f"  - {m}" for m in moved)
        super().__init__(
            "stale plan: App Store Connect changed since this plan was made; nothing was applied.\n"
            f"{body}\nRun `reconciler plan --out` again and review the new plan."
        )


class AscError(ReconcilerError):
    """Talking to App Store Connect failed."""


@dataclass(frozen=True)
class ApiErrorEntry:
    """One entry of Apple's `errors[]`, every field kept (FACTS §3).

    `associated` holds the entries of `meta.associatedErrors` (flattened in Apple's order);
    each of those carries in `associated_with` the key it was listed under (a resource path).
    """

    status: str
    code: str
    title: str
    detail: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    associated: tuple[ApiErrorEntry, ...] = field(default=())
    id: str | None = None
    associated_with: str | None = None

    def all_codes(self) -> list[str]:
        codes = [self.code]
        for entry in self.associated:
            codes.extend(entry.all_codes())
        return codes

    def describe(self, indent: str = "  ") -> list[str]:
        """Message lines for this entry and its associated errors, nested by indent."""
        text = f"{indent}- {self.code}: {self.title}"
        if self.detail:
            text += f" {self.detail}"
        where = self.pointer or self.parameter
        if where:
            text += f" ({where})"
        if self.associated_with:
            text += f" [{self.associated_with}]"
        lines = [text]
        for entry in self.associated:
            lines.extend(entry.describe(indent + "  "))
        return lines


class ApiError(AscError):
    """Apple answered a request with an error document.

    `entries` keeps every entry in Apple's order: for a duplicate version the meaningful
    code is in the second entry (FACTS E2), so branch on `codes`, never on entries[0] alone.
    `path` is the request's path and query (never a header). `hint` says what to do next.
    """

    def __init__(
        self, method: str, path: str, status: int, entries: list[ApiErrorEntry], hint: str = ""
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.entries = entries
        self.hint = hint
        # Seconds Apple asked us to wait (a usable Retry-After on a 429), else None.
        self.retry_after: float | None = None
        super().__init__(self._message())

    @property
    def codes(self) -> list[str]:
        """Every code of every entry, associated errors included, in order."""
        return [code for entry in self.entries for code in entry.all_codes()]

    def has_code(self, prefix: str) -> bool:
        """True when any code equals `prefix` or starts with `prefix.` (codes are hierarchical)."""
        return any(c == prefix or c.startswith(prefix + ".") for c in self.codes)

    def _headline(self) -> str:
        return f"App Store Connect refused {self.method} {self.path}: HTTP {self.status}"

    def _message(self) -> str:
        lines = [self._headline()]
        for entry in self.entries:
            lines.extend(entry.describe())
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


class CredentialsRejectedError(ApiError):
    """Apple answered 401 even to a freshly minted token: the key, key id or issuer is wrong."""

    def _headline(self) -> str:
        return (
            f"credentials rejected: App Store Connect answered HTTP {self.status} to "
            f"{self.method} {self.path} even with a freshly minted token"
        )


class TransportError(AscError):
    """No usable answer from App Store Connect after bounded retries (connection, timeout, 5xx).

    Raised for a write only when Apple cannot have applied it (the connection was never
    made), so a write that fails this way is safe to send again.
    """

    def __init__(self, method: str, path: str, reason: str, attempts: int = 1) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        self.attempts = attempts
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(
            f"{method} {path}: no usable answer from App Store Connect{tries} ({reason}). "
            "Check the network (or ASC_API_BASE_URL) and try again later."
        )


class AmbiguousWriteError(AscError):
    """A write was sent but its outcome is unknown (timeout, dropped connection, 5xx).

    Apple may have committed it (FACTS R9), so it must be read back before any retry.
    """

    def __init__(self, method: str, path: str, reason: str) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        super().__init__(
            f"{method} {path}: the outcome is unknown ({reason}). App Store Connect may have "
            "applied it; read back before retrying."
        )


class UnexpectedResponseError(AscError):
    """App Store Connect answered with success but a body we cannot read."""

    def __init__(self, method: str, path: str, reason: str) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        super().__init__(
            f"{method} {path}: unexpected answer from App Store Connect ({reason}). "
            "If this persists, check ASC_API_BASE_URL and any proxy in between."
        )
