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
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block runs (see the module docstring).

    ``with gc_paused(): Export.model_validate_json(body)`` validates without collections;
    reference counting still frees everything the block drops.
    """
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
