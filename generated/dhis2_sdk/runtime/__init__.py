"""The hand-written runtime every version package shares: private modules, one public face.

Stage: runtime (not generated; edited here, where it is imported, tested and type-checked).
Each ``_module`` lists its public names in its own ``__all__``; ``dhis2_sdk`` re-exports them
all under one ``__all__``. Import from ``dhis2_sdk``, not from these modules: their names and
layout may change.

Generated version packages import ``runtime._model`` and ``runtime._lazy`` directly, so that
importing a model never loads httpx.
"""
