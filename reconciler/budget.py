"""Apple's hourly request budget, respected rather than discovered. Pure.

App Store Connect allows about 3,500 requests per key per rolling hour and says what is left in
`X-Rate-Limit` on every answer (FACTS §5). A plan knows what its apply will cost: the reads it
made (apply of a saved plan reads them again) plus one write per change; read-backs of lost
answers come on top, so a margin is kept. An apply that cannot finish within what is left is
refused before it writes, unless the user asked to wait for the budget.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.kinds import kind
from reconciler.plan import Action, Change

__all__ = ["ApplyCost", "budget_line", "refusal", "write_requests"]

# Kept free for read-backs and retries the estimate cannot know.
MARGIN = 0.1


@dataclass(frozen=True)
class ApplyCost:
    """What an apply of a plan will send: `reads` to read again, and `writes`, the requests
    of the changes themselves (`write_requests`)."""

    reads: int
    writes: int

    @property
    def requests(self) -> int:
        return self.reads + self.writes

    @property
    def with_margin(self) -> int:
        return self.requests + (int(self.writes * MARGIN) + 1 if self.writes else 0)


def write_requests(changes: Iterable[Change]) -> int:
    """The requests the changes themselves cost: each its kind's cost (one write; a release's
    read after it; a submission's three writes and the reads between them), and for each
    version made in the same run one read first of what Apple made with it (localizations)."""
    total = 0
    new_versions: set[tuple[str, str, str, str]] = set()
    for change in changes:
        total += kind(change.kind).cost
        if change.action is Action.CREATE and kind(change.kind).adopts and not change.version_id:
            new_versions.add((change.kind, change.app, change.platform.value, change.version))
    return total + len(new_versions)


def budget_line(cost: ApplyCost, remaining: int | None) -> str:
    """`Applying it needs about 7 requests (1 to read again, 6 writes); 3493 left this hour.`"""
    line = (
        f"Applying it needs about {cost.requests} request{'s' if cost.requests != 1 else ''} "
        f"({cost.reads} to read again, {cost.writes} write{'s' if cost.writes != 1 else ''})"
    )
    if remaining is not None:
        line += f"; {remaining} left this hour"
        if cost.with_margin > remaining:
            line += ": not enough, apply would be refused (or use --wait-for-budget)"
    return line + "."


def refusal(writes: int, remaining: int | None) -> str | None:
    """Why an apply of `writes` changes must not start with `remaining` requests left, or None."""
    if remaining is None or not writes:
        return None
    needed = ApplyCost(0, writes).with_margin
    if needed <= remaining:
        return None
    return (
        f"this apply needs about {needed} requests ({writes} writes and a margin for "
        f"read-backs) but App Store Connect has {remaining} left this hour for this key: "
        "nothing was applied. Run it later, or pass --wait-for-budget to pause whenever the "
        "budget runs out and go on."
    )
