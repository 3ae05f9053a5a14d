"""dhis2-sdk-generator: DHIS2 ``/api/schemas`` snapshots -> a strict-typed pydantic SDK.

The pipeline, one module a stage, in the order data flows::

    pull -> spec -> normalise -> ir -> jsonschema -> render -> format -> write -> cli

``pipeline`` runs them in that order for ``generate``; ``cli`` only parses arguments and prints.
``pull`` is the only module that touches the network. ``normalise`` makes every decision
(names, types, enums, ordering); templates only loop and print.

Beside the pipeline, for the SDK's users: ``drift`` (a pinned snapshot against a server),
``changelog`` (``diff``: what changes from one version's package to the next), ``vendor`` (a copy
under another package name, and its staleness check), and ``upgrade`` (user code moved to another
version: ``codemod`` rewrites imports with libcst, ``breaks`` finds what pyright then rejects).
"""
