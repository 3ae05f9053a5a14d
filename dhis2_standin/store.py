"""The in-memory metadata store: one ordered collection per schema plural, one UID index.

It keeps objects as clients wrote them, stamped with ``created``/``lastUpdated``, and adds the
values DHIS2 computes (``displayName``, ``href``...) only when an object is read. Nothing is
persisted; :meth:`MetadataStore.reset` returns to the objects the server was started with.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from dhis2_standin.data import DataDir, SchemaInfo
from dhis2_standin.jsontypes import JsonObject, copy_object

# displayX is the translated X; the stand-in has no translations, so it is X itself.
_DISPLAY_FIELDS = {
    "displayName": ("name",),
    "displayShortName": ("shortName", "name"),
    "displayDescription": ("description",),
    "displayFormName": ("formName", "name"),
}


def timestamp() -> str:
    """Now, as DHIS2 prints dates: ``2025-11-03T12:29:45.813``."""
    return datetime.now().isoformat(timespec="milliseconds")


class MetadataStore:
    """Metadata objects by plural and UID, in insertion order."""

    def __init__(self, data: DataDir) -> None:
        self.data = data
        self._collections: dict[str, dict[str, JsonObject]] = {}
        self._owner: dict[str, str] = {}
        self._initial: dict[str, dict[str, JsonObject]] = {}
        self.generation = 0
        """Grows with every write and reset: what was derived from an older one is stale."""

    def mark_initial(self) -> None:
        """Remember the current contents as what :meth:`reset` returns to."""
        self._initial = {
            plural: {uid: copy_object(obj) for uid, obj in objects.items()}
            for plural, objects in self._collections.items()
        }

    def reset(self) -> None:
        """Forget every write since :meth:`mark_initial`."""
        self._collections = {
            plural: {uid: copy_object(obj) for uid, obj in objects.items()}
            for plural, objects in self._initial.items()
        }
        self._owner = {
            uid: plural for plural, objects in self._collections.items() for uid in objects
        }
        self.generation += 1

    def schema(self, plural: str) -> SchemaInfo:
        """The schema of a collection the caller knows exists."""
        return self.data.by_plural[plural]

    def get(self, plural: str, uid: str) -> JsonObject | None:
        """The stored object, or None."""
        return self._collections.get(plural, {}).get(uid)

    def find(self, uid: str) -> tuple[str, JsonObject] | None:
        """The plural and object holding ``uid`` in any collection (UIDs are global in DHIS2)."""
        plural = self._owner.get(uid)
        if plural is None:
            return None
        obj = self.get(plural, uid)
        return None if obj is None else (plural, obj)

    def objects(self, plural: str) -> list[JsonObject]:
        """All objects of a collection, in insertion order."""
        return list(self._collections.get(plural, {}).values())

    def plurals(self) -> Iterator[str]:
        """Collections that hold at least one object."""
        return (plural for plural, objects in self._collections.items() if objects)

    def put(self, plural: str, obj: JsonObject) -> JsonObject:
        """Create or replace ``obj`` (which has a string ``id``); return what was stored."""
        uid = str(obj["id"])
        previous = self.get(plural, uid)
        stored = copy_object(obj)
        now = timestamp()
        created = previous.get("created") if previous is not None else None
        stored["created"] = created if isinstance(created, str) else stored.get("created", now)
        stored["lastUpdated"] = now
        old_plural = self._owner.get(uid)
        if old_plural is not None and old_plural != plural:
            self._collections[old_plural].pop(uid, None)
        self._collections.setdefault(plural, {})[uid] = stored
        self._owner[uid] = plural
        self.generation += 1
        return stored

    def delete(self, plural: str, uid: str) -> bool:
        """Remove an object; False when it was not there."""
        removed = self._collections.get(plural, {}).pop(uid, None)
        if removed is None:
            return False
        self._owner.pop(uid, None)
        self.generation += 1
        return True

    def find_unique(self, plural: str, prop: str, value: str, exclude_uid: str) -> str | None:
        """The UID of another object of ``plural`` whose ``prop`` equals ``value``."""
        for uid, obj in self._collections.get(plural, {}).items():
            if uid != exclude_uid and obj.get(prop) == value:
                return uid
        return None

    def view(self, plural: str, obj: JsonObject, api_root: str) -> JsonObject:
        """The object as DHIS2 would render it: stored values plus computed ones."""
        schema = self.data.by_plural.get(plural)
        names = schema.property_names if schema is not None else frozenset[str]()
        shown = dict(obj)
        for field, sources in _DISPLAY_FIELDS.items():
            if field in names and field not in shown:
                for source in sources:
                    value = obj.get(source)
                    if isinstance(value, str):
                        shown[field] = value
                        break
        if "href" in names and "id" in obj:
            shown["href"] = f"{api_root}/{plural}/{obj['id']}"
        return shown
