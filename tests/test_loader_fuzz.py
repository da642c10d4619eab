"""Whatever the bytes, the loader returns a Manifest or raises ManifestError, nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reconciler.errors import ManifestError
from reconciler.loader import load_manifest
from reconciler.manifest import Manifest
from tests.profiles import examples

KEYS = st.sampled_from(
    [
        "format",
        "apps",
        "defaults",
        "ios",
        "macos",
        "tvos",
        "visionos",
        "version",
        "release_type",
        "earliest_release_date",
        "copyright",
        "app_id",
        "com.example.app",
        "absent",
        "relase_type",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["1.0", "absent", "scheduled", "manual", "2026-12-01T09:00:00Z", "1.01", 1]),
)
YAMLISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=15,
)


def _load(data: bytes) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(data)
        try:
            return load_manifest([path])
        except ManifestError as error:
            assert error.problems
            return error


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_random_bytes_never_escape_as_anything_but_manifest_error(data: bytes) -> None:
    assert isinstance(_load(data), Manifest | ManifestError)


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.fixed_dictionaries({"format": st.just(1) | SCALARS, "apps": YAMLISH}) | YAMLISH)
def test_random_yaml_shaped_data_never_escapes_as_anything_but_manifest_error(data: Any) -> None:
    import io

    text = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, text)
    assert isinstance(_load(text.getvalue().encode()), Manifest | ManifestError)
