"""How apply writes its report: on stdout while someone reads it, else on stderr, and in full
even when a second Ctrl-C stopped the writes in the middle of a request."""

from __future__ import annotations

from typing import TextIO

from reconciler.outcome import ApplyResult, ChangeResult, FailureInfo, Status
from reconciler.plan import Plan
from reconciler.views import report

__all__ = ["IN_FLIGHT", "ReportSink", "cut_short", "write_report"]

IN_FLIGHT = (
    "stopped while its request was in flight: it may or may not have been applied; "
    "`reconciler plan` shows which"
)


class ReportSink:
    """Writes report text to `out`; once `out` is a closed pipe (`apply | head -1`), writes it
    to `err` instead. A report nobody reads must never stop the writes it reports on."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.broken = False

    def write(self, text: str) -> None:
        if not self.broken:
            try:
                self.out.write(text)
                self.out.flush()  # now, so that a closed pipe shows up at this line
                return
            except BrokenPipeError:
                self.broken = True
                self.err.write("note: standard output was closed; the report goes on here\n")
        self.err.write(text)

    def result(self, outcome: ChangeResult, prefix: str = "") -> None:
        self.write(prefix + report.result_line(outcome) + "\n")


def cut_short(plan: Plan, done: list[ChangeResult]) -> ApplyResult:
    """The result of an apply stopped at once: what finished, the change that was in flight
    (its outcome unknown, so counted as failed), and the rest skipped."""
    results = list(done)
    rest = plan.changes[len(done) :]
    if rest:
        failure = FailureInfo(IN_FLIGHT)
        results.append(ChangeResult(rest[0], Status.FAILED, rest[0].written_id, failure=failure))
        note = "interrupted before it started"
        results += [ChangeResult(change, Status.SKIPPED, note=note) for change in rest[1:]]
    return ApplyResult(tuple(results), plan.deferred, plan.errors, interrupted=True)


def write_report(sink: ReportSink, result: ApplyResult, output_format: str) -> None:
    """The end of the report: the whole JSON document, or the text lines after the results."""
    if output_format == "json":
        sink.write(report.apply_json(result))
        return
    for deferral in result.deferred:
        sink.write(report.deferred_line(deferral) + "\n")
    for error in result.errors:
        sink.write(report.error_line(error) + "\n")
    sink.write(report.apply_summary(result) + "\n")
