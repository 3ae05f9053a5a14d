"""A stand-in DHIS2 server for tests: a test double, not a DHIS2.

It serves recorded ``/api/system/info`` and ``/api/schemas`` bodies of one DHIS2 version, keeps
metadata in memory, and imitates DHIS2's paging, field selection, filters, WebMessage errors,
metadata import reports, async job notifications and authentication (Basic, personal access
tokens, OAuth2 bearer tokens) closely enough for an SDK's tests, examples and benchmarks. It adds
a test-only control API under ``/__standin__/`` for statistics, resets and fault injection.

What it does not do: persist anything, run analytics, check sharing or most DHIS2 validation
rules, or know any endpoint not listed in :mod:`dhis2_standin.app`. Passing tests against it
are evidence, not proof, that a client works against a real DHIS2.

Start it with ``python -m dhis2_standin --data DIR`` (or ``scripts/dhis2_standin.py``): it
preloads a real DHIS2's recorded metadata (:mod:`dhis2_standin.recorded`) unless ``--empty`` or
``--metadata FILE``. From Python, :func:`dhis2_standin.launcher.start_standin` runs it as a
subprocess, empty unless asked otherwise.
"""
