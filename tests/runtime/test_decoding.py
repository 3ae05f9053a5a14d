"""Bounded content decoding: every coding the client asks for, in pieces of at most ``size``."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest

from dhis2_sdk.runtime._decoding import BodyDecoder, accepted_encodings

BODY = bytes(range(256)) * 4096 + b"0" * 3_000_000  # 4 MiB, partly incompressible


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def decode(encoding: str | None, wire: bytes, network_chunk: int, size: int) -> list[bytes]:
    decoder = BodyDecoder(encoding, size)
    chunks = [wire[i : i + network_chunk] for i in range(0, len(wire), network_chunk)]
    return [piece for chunk in chunks for piece in decoder.feed(chunk)]


@pytest.mark.parametrize(
    ("encoding", "wire"),
    [
        (None, BODY),
        ("identity", BODY),
        ("gzip", gzip.compress(BODY)),
        ("x-gzip", gzip.compress(BODY)),
        ("deflate", zlib.compress(BODY)),  # deflate as the RFC says: with the zlib header
        ("deflate", raw_deflate(BODY)),  # and as some servers send it: without
        ("gzip, deflate", zlib.compress(gzip.compress(BODY))),  # applied in this order
        ("br", BODY),  # not asked for: handed on as it came
    ],
)
@pytest.mark.parametrize("network_chunk", [1_000, 65_536, 10**8])
def test_every_coding_decodes_whole_in_bounded_pieces(
    encoding: str | None, wire: bytes, network_chunk: int
) -> None:
    pieces = decode(encoding, wire, network_chunk, size=50_000)
    assert b"".join(pieces) == BODY
    assert max(map(len, pieces)) <= 50_000


def test_a_broken_compressed_body_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError, match=r"^The compressed body is broken: "):
        decode("gzip", b"\x1f\x8b" + b"not gzip at all" * 10, 1_000, size=1_000)


def test_decodes_says_whether_anything_is_decoded() -> None:
    assert BodyDecoder("gzip").decodes
    assert not BodyDecoder("identity").decodes
    assert not BodyDecoder("br").decodes


@pytest.mark.parametrize(
    ("requested", "sent"),
    [
        (None, "gzip, deflate"),
        ("gzip, deflate, br, zstd", "gzip, deflate"),  # httpx with brotli and zstandard
        ("identity", "identity"),
        ("br", "identity"),
        ("gzip;q=1.0, br;q=0.5", "gzip;q=1.0"),
    ],
)
def test_only_codings_decoded_in_bounds_are_asked_for(requested: str | None, sent: str) -> None:
    assert accepted_encodings(requested) == sent
