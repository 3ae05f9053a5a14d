"""Content decoding (gzip, deflate) that never produces more than one chunk at a time.

Stage: runtime (hand-written), used by ``_bodies.BodyTransport``. httpx's own decoders inflate
each network chunk whole: 64 KiB of a gzip bomb become 64 MiB in one call, before any limit can
look at them. Here zlib's ``max_length`` caps every output piece, so a caller that counts the
pieces stops a bomb after at most one chunk too many.

Only the encodings the client asks for (``ACCEPT_ENCODING``) are decoded; ``identity`` and
codings nobody asked for pass through as bytes, as httpx does with codings it does not know, so
they are counted (and rejected as "not JSON") at their compressed size.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterator, Sequence
from typing import Protocol

import httpx

__all__: list[str] = []

CHUNK_SIZE = 64 * 1024
"""The largest piece a body is handed on in: httpcore's own network read size."""

ACCEPT_ENCODING = "gzip, deflate"
"""The codings decoded here, and so the only ones the client asks for."""

_GZIP_WBITS = zlib.MAX_WBITS | 16
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS


class _Decoder(Protocol):
    def feed(self, data: bytes, size: int) -> Iterator[bytes]: ...


class _Inflater:
    """One zlib stream, inflated at most ``size`` bytes per piece.

    ``fallback`` is tried when the very first input is not in the ``wbits`` format: servers
    send "deflate" both with and without the zlib header, as httpx also allows for.
    """

    __slots__ = ("_fallback", "_started", "_zlib")

    def __init__(self, wbits: int, fallback: int | None = None) -> None:
        self._zlib = zlib.decompressobj(wbits)
        self._fallback = fallback
        self._started = False

    def feed(self, data: bytes, size: int) -> Iterator[bytes]:
        while True:
            try:
                piece = self._zlib.decompress(data, size)
            except zlib.error as exc:
                if self._started or self._fallback is None:
                    raise httpx.DecodingError(f"The compressed body is broken: {exc}") from exc
                self._zlib, self._fallback = zlib.decompressobj(self._fallback), None
                continue
            self._started = True
            if piece:
                yield piece
            data = self._zlib.unconsumed_tail
            # A full piece may leave output inside zlib even when the input is used up.
            if not data and len(piece) < size:
                return


class _Identity:
    __slots__ = ()

    def feed(self, data: bytes, size: int) -> Iterator[bytes]:
        for start in range(0, len(data), size):
            yield data[start : start + size]


def _decoder_for(coding: str) -> _Decoder | None:
    if coding in ("gzip", "x-gzip"):
        return _Inflater(_GZIP_WBITS)
    if coding == "deflate":
        return _Inflater(_ZLIB_WBITS, fallback=_RAW_DEFLATE_WBITS)
    return None


class BodyDecoder:
    """Decodes a body's ``Content-Encoding`` chain into pieces of at most ``size`` bytes."""

    __slots__ = ("_chain", "size")

    def __init__(self, content_encoding: str | None, size: int = CHUNK_SIZE) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        # Codings are listed in the order they were applied; undo them last to first.
        decoders = [d for d in map(_decoder_for, reversed(codings)) if d is not None]
        self._chain: Sequence[_Decoder] = [*decoders, _Identity()]
        self.size = size

    @property
    def decodes(self) -> bool:
        """True when the body is compressed in a coding decoded here."""
        return len(self._chain) > 1

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of the next raw network chunk, each at most ``size`` bytes."""
        return self._through(data, 0)

    def _through(self, data: bytes, index: int) -> Iterator[bytes]:
        decoder = self._chain[index]
        if index == len(self._chain) - 1:
            yield from decoder.feed(data, self.size)
            return
        for piece in decoder.feed(data, self.size):
            yield from self._through(piece, index + 1)


@functools.lru_cache(maxsize=64)
def accepted_encodings(requested: str | None) -> str:
    """The ``Accept-Encoding`` to send: the requested codings this module decodes.

    httpx asks for ``br`` and ``zstd`` too when their packages are installed; those would be
    inflated unbounded, so they are dropped. A request narrowed to ``identity`` stays so.
    """
    if requested is None:
        return ACCEPT_ENCODING
    wanted = [c.strip() for c in requested.split(",")]
    kept = [c for c in wanted if c.split(";")[0].strip().lower() in ("gzip", "deflate", "identity")]
    return ", ".join(kept) or "identity"
