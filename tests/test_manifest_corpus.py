"""Every broken manifest in tests/manifests/invalid gives the error written next to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.loader import load_manifest

CORPUS = Path(__file__).parent / "manifests"
INVALID = sorted((CORPUS / "invalid").glob("*.yaml"))


def test_the_corpus_is_large_enough() -> None:
    assert len(INVALID) >= 30


@pytest.mark.parametrize("case", INVALID, ids=[p.stem for p in INVALID])
def test_an_invalid_manifest_reports_the_expected_problems(case: Path) -> None:
    expected = case.with_suffix(".expect").read_text().splitlines()
    with pytest.raises(ManifestError) as raised:
        load_manifest([case])
    reported = [str(p) for p in raised.value.problems]
    assert len(reported) == len(expected), reported
    for want, got in zip(expected, reported, strict=True):
        assert got.startswith(str(case)), got
        assert want in got, f"expected {want!r} in {got!r}"


@pytest.mark.parametrize("case", sorted((CORPUS / "valid").glob("*.yaml")), ids=lambda p: p.stem)
def test_a_valid_manifest_loads(case: Path) -> None:
    manifest = load_manifest([case])
    assert manifest.apps
