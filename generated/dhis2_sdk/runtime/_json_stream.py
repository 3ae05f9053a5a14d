"""Read the objects of one array inside a streamed JSON object, as the bytes arrive.

Stage: runtime (hand-written). DHIS2 exports large data as ``{"dataValues": [{…}, {…}, …]}``
(``instances``, ``trackedEntities``… elsewhere). ``JsonArrayReader(key)`` is fed the body chunk
by chunk and returns the array's objects completed so far, so memory holds one chunk and the
objects not yet handed on, never the whole body. Each object is parsed by the standard
library's C scanner (``JSONDecoder.raw_decode``); only the walk between them is Python. Other
top-level keys, before or after the array, are parsed and dropped. No third-party parser: the
generated package depends on httpx and pydantic only.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from ._errors import ResponseShapeError

__all__: list[str] = []

ItemT = TypeVar("ItemT")

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, pos: int) -> int:
    """The first position at or after ``pos`` that is not JSON whitespace."""
    match = _WHITESPACE.match(text, pos)
    return pos if match is None else match.end()


_DECODER = json.JSONDecoder()
_BUFFER_LIMIT = 64 * 1024 * 1024
"""A single JSON value larger than this is no data value: the body is not what we expect."""


def _last_complete(text: str, pos: int) -> int:
    """The end of the last ``}`` after ``pos`` that a ``,`` or ``]`` follows, or ``pos``.

    When the stretch up to it parses as an array, the cut was outside any string (a cut inside
    one leaves it unterminated) and after a whole element (a cut inside a nested object leaves
    it unclosed), so a successful parse never splits a value.
    """
    close = text.rfind("}", pos)
    while close != -1:
        after = _skip(text, close + 1)
        if after < len(text) and text[after] in ",]":
            return close + 1
        close = text.rfind("}", pos, close)
    return pos


def _closed(value: object) -> bool:
    """True for a value whose last character closes it (an object, array or string)."""
    return isinstance(value, dict | list | str)


class _NeedMoreError(Exception):
    """The buffer ends inside a value: wait for the next chunk."""


class JsonArrayReader(Generic[ItemT]):
    """Incremental reader of ``{…, "<key>": [ {…}, … ], …}``: ``feed(chunk)``, then ``close()``.

    ``batch`` turns the text of a JSON array of complete objects into items in one call (the
    fast path: ``json.loads``, or a pydantic ``TypeAdapter.validate_json`` that parses and types
    in Rust); ``each`` turns objects parsed one by one into items (the careful path, taken when
    ``batch`` refuses a stretch, which also reports the real error).
    """

    def __init__(
        self,
        key: str,
        *,
        where: str,
        batch: Callable[[str], list[ItemT]],
        each: Callable[[list[dict[str, Any]]], list[ItemT]],
    ) -> None:
        self._key = key
        self._where = where
        self._batch = batch
        self._each = each
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._buffer = ""
        self._state = "start"
        # start → key (expect a key or "}") → colon → value / array → item / comma → key … → end
        self._first_member = True
        self._found = False

    def feed(self, chunk: bytes) -> list[ItemT]:
        """The array's objects completed by ``chunk`` (possibly none), in order."""
        self._buffer += self._text.decode(chunk)
        return self._drain(final=False)

    def close(self) -> list[ItemT]:
        """The last objects; raises ``ResponseShapeError`` when the body ended early or had no
        array under the key."""
        self._buffer += self._text.decode(b"", final=True)
        items = self._drain(final=True)
        if self._state != "end" or _skip(self._buffer, 0) != len(self._buffer):
            raise self._error("the body ended before the JSON object closed")
        return items

    def _drain(self, *, final: bool) -> list[ItemT]:
        items: list[ItemT] = []
        single: list[dict[str, Any]] = []
        pos = 0
        try:
            pos = self._walk(items, single, final)
        except _NeedMoreError as more:
            pos = more.args[0]
            if final:
                raise self._error("the body ended inside a JSON value") from None
            if len(self._buffer) - pos > _BUFFER_LIMIT:
                raise self._error("one JSON value is larger than 64 MiB") from None
        self._buffer = self._buffer[pos:]
        if single:
            items.extend(self._one_by_one(single))
        return items

    def _one_by_one(self, objects: list[dict[str, Any]]) -> list[ItemT]:
        try:
            return self._each(objects)
        except ValueError as exc:  # a pydantic ValidationError names the item and field
            problem = " ".join(str(exc).split())
            raise self._error(f"an item does not fit: {problem[:300]}") from exc

    def _walk(self, items: list[ItemT], single: list[dict[str, Any]], final: bool) -> int:
        text = self._buffer
        end = len(text)
        pos = _skip(text, 0)
        fast = True
        while pos < end:
            state = self._state
            char = text[pos]
            if state == "item":
                if char == "]":
                    self._state = "comma"
                    pos += 1
                elif char == "{":
                    cut = _last_complete(text, pos) if fast else pos
                    if cut > pos:
                        try:
                            stretch = self._batch(f"[{text[pos:cut]}]")
                        except ValueError:
                            fast = False  # parse one by one: slower, and says what is wrong
                        else:
                            if single:
                                items.extend(self._one_by_one(single))
                                single.clear()
                            items.extend(stretch)
                            pos = _skip(text, cut)
                            self._state = "next_item"
                            continue
                    value, after = self._value(text, pos, final)
                    single.append(cast(dict[str, Any], value))
                    pos = after
                    self._state = "next_item"
                else:
                    raise self._error(f"the {self._key!r} array holds a non-object")
            elif state == "next_item":
                if char == ",":
                    self._state = "item"
                elif char == "]":
                    self._state = "comma"
                else:
                    raise self._error(f"expected ',' or ']' in the {self._key!r} array")
                pos += 1
            elif state == "start":
                if char != "{":
                    raise self._error("the body is not a JSON object")
                self._state = "key"
                pos += 1
            elif state == "key":
                if char == "}" and self._first_member:
                    self._state = "end"
                    pos += 1
                elif char == '"':
                    key, pos = self._value(text, pos, final)
                    self._first_member = False
                    self._state = "array_colon" if key == self._key else "colon"
                else:
                    raise self._error("expected a key")
            elif state in ("colon", "array_colon"):
                if char != ":":
                    raise self._error("expected ':' after a key")
                self._state = "array" if state == "array_colon" else "value"
                pos += 1
            elif state == "value":
                _, pos = self._value(text, pos, final)
                self._state = "comma"
            elif state == "array":
                if char != "[":
                    raise self._error(f"{self._key!r} is not an array")
                self._found = True
                self._state = "first_item"
                pos += 1
            elif state == "first_item":
                if char == "]":
                    self._state = "comma"
                    pos += 1
                else:
                    self._state = "item"
            elif state == "comma":
                if char == ",":
                    self._state = "key"
                    self._first_member = False
                elif char == "}":
                    self._state = "end"
                else:
                    raise self._error("expected ',' or '}' between keys")
                pos += 1
            else:  # end
                raise self._error("there is more after the JSON object")
            pos = _skip(text, pos)
        return pos

    def _value(self, text: str, pos: int, final: bool) -> tuple[object, int]:
        try:
            decoded: tuple[object, int] = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            if final:
                cut = exc.pos >= len(text)
                why = "the body ended inside a JSON value" if cut else "it is not valid JSON"
                raise self._error(why) from None
            raise _NeedMoreError(pos) from None
        except RecursionError:
            raise self._error("JSON nested too deep to read") from None
        value, after = decoded
        if after == len(text) and not final and not _closed(value):
            raise _NeedMoreError(pos)  # a number or literal may go on in the next chunk
        return value, after

    @property
    def found(self) -> bool:
        """True once the array under the key has started."""
        return self._found

    def _error(self, why: str) -> ResponseShapeError:
        return ResponseShapeError(
            f"{self._where} answered a body that is not {{{self._key!r}: [...]}} ({why}): "
            f"{self._buffer[:120]!r}"
        )


def _as_objects(text: str) -> list[dict[str, Any]]:
    items: object = json.loads(text)
    if isinstance(items, list):
        listed = cast(list[object], items)
        if all(isinstance(item, dict) for item in listed):
            return cast(list[dict[str, Any]], listed)
    raise ValueError("not an array of objects")


def dict_reader(key: str, *, where: str) -> JsonArrayReader[dict[str, Any]]:
    """A reader that hands on the array's objects as plain dicts."""
    return JsonArrayReader(key, where=where, batch=_as_objects, each=lambda objects: objects)
