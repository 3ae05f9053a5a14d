"""RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over JSON values.

Written here (a few dozen lines) rather than depending on ``jsonpatch``: the stand-in needs
exact error messages and nothing else from a library.
"""

from __future__ import annotations

from dhis2_standin.jsontypes import JsonArray, JsonObject, JsonValue, deep_copy


class PatchError(ValueError):
    """A patch document that is malformed or does not apply to the target."""


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"Invalid JSON pointer `{path}`: it must start with `/`")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _index(container: JsonArray, token: str, *, for_insert: bool) -> int:
    if for_insert and token == "-":
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PatchError(f"Invalid array index `{token}`")
    index = int(token)
    if index > len(container) or (index == len(container) and not for_insert):
        raise PatchError(f"Array index {index} is out of bounds")
    return index


def _parent(doc: JsonValue, tokens: list[str], path: str) -> JsonValue:
    current = doc
    for token in tokens[:-1]:
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list):
            current = current[_index(current, token, for_insert=False)]
        else:
            raise PatchError(f"Path `{path}` does not exist")
    return current


def _get(doc: JsonValue, path: str) -> JsonValue:
    tokens = _pointer(path)
    if not tokens:
        return doc
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, for_insert=False)]
    raise PatchError(f"Path `{path}` does not exist")


def _add(doc: JsonValue, path: str, value: JsonValue) -> JsonValue:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent = _parent(doc, tokens, path)
    if isinstance(parent, dict):
        parent[tokens[-1]] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, tokens[-1], for_insert=True), value)
    else:
        raise PatchError(f"Path `{path}` does not exist")
    return doc


def _remove(doc: JsonValue, path: str) -> tuple[JsonValue, JsonValue]:
    tokens = _pointer(path)
    if not tokens:
        raise PatchError("Cannot remove the whole document")
    parent = _parent(doc, tokens, path)
    if isinstance(parent, dict) and tokens[-1] in parent:
        return doc, parent.pop(tokens[-1])
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, tokens[-1], for_insert=False))
    raise PatchError(f"Path `{path}` does not exist")


def _string(op: JsonObject, key: str) -> str:
    value = op.get(key)
    if not isinstance(value, str):
        raise PatchError(f"Patch operation `{op.get('op')}` needs a string `{key}`")
    return value


def apply_patch(document: JsonValue, patch: JsonValue) -> JsonValue:
    """``document`` with ``patch`` applied; the input is not modified."""
    if not isinstance(patch, list):
        raise PatchError("A JSON Patch must be an array of operations")
    doc = deep_copy(document)
    for op in patch:
        if not isinstance(op, dict):
            raise PatchError("Each JSON Patch operation must be an object")
        kind, path = op.get("op"), _string(op, "path")
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"Patch operation `{kind}` needs a `value`")
        if kind == "add":
            doc = _add(doc, path, deep_copy(op["value"]))
        elif kind == "remove":
            doc, _ = _remove(doc, path)
        elif kind == "replace":
            if path:
                doc, _ = _remove(doc, path)
            doc = _add(doc, path, deep_copy(op["value"]))
        elif kind in ("move", "copy"):
            source = _string(op, "from")
            if kind == "move":
                doc, value = _remove(doc, source)
            else:
                value = deep_copy(_get(doc, source))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"Test failed: value at `{path}` differs")
        else:
            raise PatchError(f"Unknown JSON Patch operation `{kind}`")
    return doc
