"""Validation without the cyclic garbage collector: :func:`gc_paused`.

Stage: runtime (hand-written, shared by every DHIS2 version). Standard library only.

Validating a DHIS2 response creates a model instance, its ``__dict__`` and its fields-set for
every object and every reference: hundreds of thousands of tracked containers for a metadata
export. Each 700 of them start a collection of the youngest generation, and the growing
survivors trigger full collections, which walk every object validated so far. None of that
work finds anything: validation builds trees (no object refers back to its parent), so every
object is freed by reference counting. On Python 3.11 the collector doubled the time of
validating a recorded ``/api/metadata`` payload. The client validates its responses inside
:func:`gc_paused`; call it around your own ``model_validate_json`` of large payloads to get the
same.

The collector is paused, not replaced: the objects allocated meanwhile are looked at by the
first collection after the pause, once, instead of by a collection every 700 allocations. Pauses nest and may overlap across threads: the collector is enabled again
when the last one ends, and only if it was enabled when the first one began (a program that
turned it off keeps it off).
"""

from __future__ import annotations

import gc
import threading
from types import TracebackType

__all__ = ["gc_paused"]


class _Pause:
    """The context manager :func:`gc_paused` returns: one shared instance, the state is global.

    A class, not ``@contextmanager``: entering and leaving costs well under a microsecond, which
    matters for the many small responses a client validates.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._was_enabled:
                gc.enable()


_PAUSE = _Pause()


def gc_paused() -> _Pause:
    """Pause the cyclic garbage collector while a ``with`` block runs (see the module docstring).

    ``with gc_paused(): Export.model_validate_json(body)`` validates without collections;
    reference counting still frees everything the block drops.
    """
    return _PAUSE
