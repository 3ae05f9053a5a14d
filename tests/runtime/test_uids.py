"""UID generation and validation: DHIS2's alphabet, length and letter-first rule."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from dhis2_sdk import UID_RE, generate_uid, generate_uids, is_valid_uid

ALPHABET = string.ascii_letters + string.digits


@given(st.integers(min_value=0, max_value=50))
def test_generated_uids_are_valid_and_distinct(n: int) -> None:
    uids = generate_uids(n)
    assert len(uids) == n
    assert len(set(uids)) == n
    assert all(is_valid_uid(uid) for uid in uids)


def test_generate_uid_shape() -> None:
    for _ in range(1000):
        uid = generate_uid()
        assert len(uid) == 11
        assert uid[0] in string.ascii_letters
        assert set(uid) <= set(ALPHABET)


@given(
    st.sampled_from(string.ascii_letters),
    st.text(alphabet=ALPHABET, min_size=10, max_size=10),
)
def test_every_letter_first_alnum_11_is_valid(first: str, rest: str) -> None:
    assert is_valid_uid(first + rest)
    assert UID_RE.match(first + rest)


@given(st.text(max_size=20))
def test_validity_matches_the_rule(value: str) -> None:
    expected = (
        len(value) == 11
        and value[0] in string.ascii_letters
        and all(char in ALPHABET for char in value)
    )
    assert is_valid_uid(value) is expected


def test_invalid_examples() -> None:
    for value in ["1bcdefghijk", "abcdefghij", "abcdefghijkl", "abcdefghij_", "abcdefghijk\n"]:
        assert not is_valid_uid(value)
    assert not is_valid_uid(None)
    assert not is_valid_uid(12345678901)
    assert is_valid_uid("xE7jOejl9FI")


def test_bulk_generation_has_no_collisions() -> None:
    assert len(set(generate_uids(20_000))) == 20_000
