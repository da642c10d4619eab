"""filter[bundleId] is prepared once per request (issue 12): a set lookup per distinct filter
length must match exactly what a startswith per filter matched (R10: a prefix, not exact)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.sandbox.routes import _prefix_filter
from tests.profiles import examples

TEXT = st.text(alphabet="ab.", max_size=5)


@settings(max_examples=examples(300))
@given(wanted=st.lists(TEXT, max_size=5), bundle_id=TEXT)
def test_the_prefix_filter_matches_what_startswith_matched(
    wanted: list[str], bundle_id: str
) -> None:
    assert _prefix_filter(wanted)(bundle_id) == any(bundle_id.startswith(f) for f in wanted)


def test_no_filter_matches_every_app() -> None:
    assert _prefix_filter(None)("com.example.app")
