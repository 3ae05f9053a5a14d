"""Version parsing and the dispatch rules (exact, fallback, unsupported, pinned)."""

from __future__ import annotations

import pytest

from dhis2_sdk import UnsupportedVersionError, available_versions, load_version, parse_version
from dhis2_sdk.runtime._versions import normalize_version_key, select_version
from tests.paths import SHARED_DHIS2, VERSIONS

AVAILABLE = ("v41", "v42", "v43")


@pytest.mark.parametrize(
    ("raw", "minor", "patch", "hotfix", "snapshot"),
    [
        ("2.42.1", 42, 1, 0, False),
        ("2.42.4-SNAPSHOT", 42, 4, 0, True),
        ("2.43-SNAPSHOT", 43, 0, 0, True),
        ("2.41.8.1", 41, 8, 1, False),
        ("2.40.2.2", 40, 2, 2, False),
        ("2.39", 39, 0, 0, False),
        (" 2.44.0 ", 44, 0, 0, False),
        ("2.41.3-EMBARGOED", 41, 3, 0, False),
    ],
)
def test_parse_version(raw: str, minor: int, patch: int, hotfix: int, snapshot: bool) -> None:
    version = parse_version(raw)
    assert (version.major, version.minor, version.patch, version.hotfix) == (
        2,
        minor,
        patch,
        hotfix,
    )
    assert version.key == f"v{minor}"
    assert version.is_snapshot is snapshot


@pytest.mark.parametrize("raw", ["", "42", "latest", "3.0.0", "2.x"])
def test_unreadable_versions_raise(raw: str) -> None:
    with pytest.raises(UnsupportedVersionError, match="Pass version='v42'"):
        parse_version(raw)


@pytest.mark.parametrize("folder", ["v37", "v38", "v39", "v41", "v42", "v43"])
def test_every_recorded_system_info_version_parses(folder: str) -> None:
    import json

    raw = json.loads((SHARED_DHIS2 / folder / "system-info.json").read_text())["version"]
    assert parse_version(raw).key == folder


@pytest.mark.parametrize(
    ("value", "key"), [("v42", "v42"), ("42", "v42"), ("2.42", "v42"), ("2.42.1", "v42")]
)
def test_normalize_version_key(value: str, key: str) -> None:
    assert normalize_version_key(value) == key


def test_normalize_version_key_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="Not a DHIS2 version: 'vx'"):
        normalize_version_key("vx")


def test_available_versions_are_discovered_and_sorted() -> None:
    assert available_versions() == VERSIONS


def test_load_version_exposes_models() -> None:
    loaded = load_version("42")
    assert loaded.key == "v42"
    assert loaded.raw_version.startswith("2.42")
    assert len(loaded.models) > 50


def test_load_missing_version_says_what_exists() -> None:
    with pytest.raises(UnsupportedVersionError) as info:
        load_version("v99")
    assert str(info.value) == (
        "This SDK has no generated v99 package; it has generated versions v41, v42, v43. "
        "Choose one of those, or regenerate the SDK with that DHIS2 version's schemas."
    )


def _select(raw: str, *, pinned: str | None = None, fallback: bool = False) -> str:
    return select_version(parse_version(raw), AVAILABLE, pinned=pinned, allow_fallback=fallback)


@pytest.mark.parametrize(
    ("raw", "pinned", "fallback", "expected"),
    [
        ("2.42.4-SNAPSHOT", None, False, "v42"),
        ("2.41.8.1", None, False, "v41"),
        ("2.43-SNAPSHOT", None, True, "v43"),
        ("2.44.0", None, True, "v43"),
        ("2.50.1", None, True, "v43"),
        ("2.42.1", "v42", False, "v42"),
        ("2.43.0", "v42", True, "v42"),
    ],
)
def test_select_version_accepts(
    raw: str, pinned: str | None, fallback: bool, expected: str
) -> None:
    assert _select(raw, pinned=pinned, fallback=fallback) == expected


def test_newer_server_without_fallback_is_unsupported() -> None:
    with pytest.raises(UnsupportedVersionError) as info:
        _select("2.44.0")
    assert str(info.value) == (
        "The server runs DHIS2 2.44.0, but this SDK has generated versions v41, v42, v43. "
        "Pass allow_version_fallback=True to use the nearest lower version (v43), which may "
        "lack fields and endpoints added since, or regenerate the SDK for DHIS2 2.44."
    )
    assert info.value.server_version == "2.44.0"
    assert info.value.available == AVAILABLE


@pytest.mark.parametrize("fallback", [False, True])
def test_older_server_is_unsupported_even_with_fallback(fallback: bool) -> None:
    with pytest.raises(UnsupportedVersionError) as info:
        _select("2.40.0", fallback=fallback)
    assert str(info.value) == (
        "The server runs DHIS2 2.40.0, but this SDK has generated versions v41, v42, v43. "
        "The oldest version this SDK supports is v41: use an older SDK release or regenerate "
        "it for DHIS2 2.40."
    )


def test_pinned_client_against_other_server_is_unsupported() -> None:
    with pytest.raises(UnsupportedVersionError) as info:
        _select("2.43.0", pinned="v42")
    assert str(info.value) == (
        "The client is pinned to v42, but the server runs DHIS2 2.43.0. Use version='v43' "
        "(dhis2_sdk.v43.Dhis2Client) or allow_version_fallback=True to use older models "
        "against a newer server."
    )


def test_pin_newer_than_server_is_never_allowed() -> None:
    with pytest.raises(UnsupportedVersionError, match="pinned to v43, but the server runs"):
        _select("2.42.1", pinned="v43", fallback=True)


def test_pin_that_was_not_generated() -> None:
    with pytest.raises(UnsupportedVersionError, match="pinned to v40, but this SDK has"):
        _select("2.40.1", pinned="v40")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("42.1.0", "v42"),
        ("43.0.0-SNAPSHOT", "v43"),
        ("2.42.4-SNAPSHOT", "v42"),
        ("2.41.8.1", "v41"),
    ],
)
def test_generator_and_runtime_read_versions_alike(raw: str, key: str) -> None:
    from generator.pull import version_key

    assert parse_version(raw).key == version_key(raw) == key


def test_new_scheme_server_selects_its_line() -> None:
    assert select_version(parse_version("42.1.0"), AVAILABLE) == "v42"
