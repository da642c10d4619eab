"""Every error a user can see, as one small tree.

    ReconcilerError                 expected failures: exit 1, a message, no traceback
    ├── ManifestError               the manifest is invalid; carries every problem at once
    ├── UsageError                  a command-line or input file problem that is not a manifest
    ├── CredentialsError            credentials missing, malformed or of the wrong kind
    ├── PlanFileError               a saved plan file is unreadable or of an unknown format
    ├── StalePlanError              the remote state moved since the saved plan was made
    └── AscError                    talking to App Store Connect failed
        ├── ApiError                Apple answered with errors[] (status, every entry kept)
        │   └── CredentialsRejectedError   401 even after minting a fresh token
        ├── TransportError          no usable answer (connection, timeout) after bounded retries
        └── AmbiguousWriteError     a write's outcome is unknown: the body was sent, no clear answer

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
    "CredentialsError",
    "CredentialsRejectedError",
    "ManifestError",
    "PlanFileError",
    "Problem",
    "ReconcilerError",
    "StalePlanError",
    "TransportError",
    "UsageError",
]


class ReconcilerError(Exception):
    """Base of every expected failure; the CLI prints str(error) and exits 1."""


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
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


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
    """A saved plan file cannot be read or is of an unknown format."""


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
    """One entry of Apple's `errors[]`, every field kept (FACTS §3)."""

    status: str
    code: str
    title: str
    detail: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    associated: tuple[ApiErrorEntry, ...] = field(default=())

    def all_codes(self) -> list[str]:
        codes = [self.code]
        for entry in self.associated:
            codes.extend(entry.all_codes())
        return codes


class ApiError(AscError):
    """Apple answered a request with an error document.

    `entries` keeps every entry in Apple's order: for a duplicate version the meaningful
    code is in the second entry (FACTS E2), so branch on `codes`, never on entries[0] alone.
    """

    def __init__(
        self, method: str, path: str, status: int, entries: list[ApiErrorEntry], hint: str = ""
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.entries = entries
        self.hint = hint
        super().__init__(self._message())

    @property
    def codes(self) -> list[str]:
        """Every code of every entry, associated errors included, in order."""
        return [code for entry in self.entries for code in entry.all_codes()]

    def has_code(self, prefix: str) -> bool:
        """True when any code equals `prefix` or starts with `prefix.` (codes are hierarchical)."""
        return any(c == prefix or c.startswith(prefix + ".") for c in self.codes)

    def _message(self) -> str:
        lines = [f"App Store Connect refused {self.method} {self.path}: HTTP {self.status}"]
        for entry in self.entries:
            where = entry.pointer or entry.parameter
            text = f"  - {entry.code}: {entry.title}"
            if entry.detail:
                text += f" {entry.detail}"
            if where:
                text += f" ({where})"
            lines.append(text)
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


class CredentialsRejectedError(ApiError):
    """Apple answered 401 even to a freshly minted token: the key, key id or issuer is wrong."""


class TransportError(AscError):
    """No usable answer from App Store Connect after bounded retries (connection, timeout, 5xx)."""


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
