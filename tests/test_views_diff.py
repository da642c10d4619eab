"""The line diff of multi-line text, as properties: whatever the text, the `-` and unchanged
lines are the old text and the `+` and unchanged lines the new one, each line escaped; and a
markdown comment of such changes stays within its limit and well formed."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reconciler.manifest import Platform
from reconciler.plan import Action, Change, Plan
from reconciler.views import plan_markdown, plan_text
from reconciler.views.words import clean
from tests.test_render import assert_well_formed

# Few distinct lines, so that old and new share some; hostile characters and fences among them.
LINES = st.sampled_from(["", " ", "Radar.", "- Widgets", "+ Maps", "```", "\x1b[2J", "a\tb\r", "ü"])
TEXTS = st.lists(LINES, min_size=0, max_size=8).map("\n".join)


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, str]:
    """A text and an edit of it: a run of its lines replaced, so that both share lines."""
    old = draw(st.lists(LINES, min_size=0, max_size=10))
    start = draw(st.integers(0, len(old)))
    end = draw(st.integers(start, len(old)))
    middle = draw(st.lists(LINES, max_size=3))
    return "\n".join(old), "\n".join(old[:start] + middle + old[end:])


def text_update(old: str | None, new: str | None, app: str = "com.example.weather") -> Change:
    return Change(
        kind="localization",
        app=app,
        app_id="1",
        platform=Platform.IOS,
        action=Action.UPDATE,
        version="2.5.0",
        version_id="v-1",
        key="de-DE",
        resource_id="loc-1",
        before={"release_notes": old},
        after={"release_notes": new},
    )


def sides(lines: list[str]) -> tuple[list[str], list[str]]:
    """The old and the new text a diff block shows."""
    old, new = [], []
    for line in lines:
        assert line.startswith("        ") and line[8] in " -+", line
        assert len(line) == 9 or line[9] == " ", line
        text = line[10:]
        if line[8] in " -":
            old.append(text)
        if line[8] in " +":
            new.append(text)
    return old, new


def shown(text: str | None) -> list[str]:
    return [clean(line) for line in text.split("\n")] if text is not None else []


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    texts=st.one_of(
        edits(),
        st.tuples(st.one_of(st.none(), TEXTS), st.one_of(st.none(), TEXTS)),
    )
)
def test_the_diff_shows_both_texts_line_for_line(texts: tuple[str | None, str | None]) -> None:
    old, new = texts
    assume(old != new and any(t is not None and "\n" in t for t in (old, new)))
    text = plan_text(Plan(changes=[text_update(old, new)]))
    assert "\x1b" not in text and "\r" not in text and "\t" not in text
    block = text.split("\n\n")[0].splitlines()
    assert block[1] == "    ~ release_notes:"
    assert sides(block[2:]) == (shown(old), shown(new))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    texts=st.lists(st.tuples(TEXTS, TEXTS), min_size=1, max_size=60),
    limit=st.integers(min_value=2500, max_value=20000),
)
def test_a_comment_of_text_diffs_stays_within_its_limit_and_well_formed(
    texts: list[tuple[str, str]], limit: int
) -> None:
    changes = [
        text_update(old + "\nEnde.", new + "\nEnde!", app=f"com.example.app{n:03d}")
        for n, (old, new) in enumerate(texts)
    ]
    markdown = plan_markdown(Plan(changes=changes), limit=limit)
    assert len(markdown) <= limit
    assert_well_formed(markdown)
    assert "\x1b" not in markdown
