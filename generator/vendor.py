"""Vendoring: the SDK copied into a downstream project under its own package name, and the
check that the copy is still what this generator writes.

``python -m generator vendor --versions v42,v43 --dest DIR --package NAME`` writes ``DIR/NAME/``:
the hand-written part of ``generated/dhis2_sdk`` (every file outside its ``vNN`` packages, so a
new runtime module comes along without a list to update), the chosen versions rendered afresh from
``schemas/vNN.json``, and :data:`MANIFEST_NAME` (source versions, generator version, snapshot
digests, a sha256 per file). Every ``dhis2_sdk`` in the copy (imports would be relative anyway;
docstrings and any literal) is spelled ``NAME``; the runtime names itself from ``__name__``.

``--check`` renders the same tree in memory and compares it with the copy on disk: each file that
differs is reported as edited by hand (it no longer matches the manifest) or out of date (it does,
but this generator now writes something else). The tree is written with
:func:`generator.write.write_packages`: all of it or none.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import cast

from pydantic import JsonValue

from generator import pipeline
from generator.errors import GeneratorError
from generator.render import PACKAGE
from generator.spec import parse_snapshot
from generator.write import existing_files, write_packages

MANIFEST_NAME = "vendored.json"
GENERATOR_DISTRIBUTION = "dhis2-sdk-generator"
_VERSION_KEY = re.compile(r"v\d+")
_SOURCE_NAME = re.compile(rf"\b{PACKAGE}\b")
_SDK_VERSION = re.compile(r'^__version__: Final = "([^"]+)"$', re.MULTILINE)


@dataclass(frozen=True, slots=True)
class VendorSource:
    """Where the copy comes from: the hand-written package and the pinned snapshots."""

    package_dir: Path  # generated/dhis2_sdk
    schemas: Path  # schemas/


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``vendor --check`` found: one ``(state, path)`` per differing file."""

    root: Path
    versions: tuple[str, ...]
    differences: tuple[tuple[str, str], ...]


def parse_versions(text: str) -> tuple[str, ...]:
    """``"v43,v42"`` -> ``("v42", "v43")``; exits 2 on anything else."""
    keys = {part.strip() for part in text.split(",") if part.strip()}
    bad = sorted(key for key in keys if not _VERSION_KEY.fullmatch(key))
    if bad or not keys:
        raise GeneratorError(
            f"--versions {text!r}: give version keys separated by commas, e.g. v42,v43"
        )
    return tuple(sorted(keys, key=lambda key: int(key[1:])))


def check_package_name(name: str) -> str:
    """A plain, importable top-level name; exits 2 otherwise."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise GeneratorError(
            f"--package {name!r}: the vendored package needs a plain Python identifier "
            "(letters, digits, underscores), e.g. myproject_dhis2"
        )
    return name


def render(source: VendorSource, versions: Sequence[str], package: str) -> dict[str, bytes]:
    """Every file of ``DIR/NAME``, the manifest included, keyed by path inside the package."""
    paths = [_snapshot(source.schemas, key) for key in versions]
    overrides, embedding = pipeline.side_files(paths)
    tree = pipeline.render_tree(paths, overrides, embedding)
    files = _hand_written(source.package_dir)
    for key, rendered in tree.packages.items():
        files.update({f"{key}/{rel}": content for rel, content in rendered.items()})
    files = {rel: _rename(content, package) for rel, content in sorted(files.items())}
    manifest = _manifest(source, paths, package, files)
    files[MANIFEST_NAME] = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()
    return files


def vendor(source: VendorSource, versions: Sequence[str], dest: Path, package: str) -> Path:
    """Write ``dest/package`` (replacing an earlier vendored copy whole); return its path."""
    root = dest / package
    if root.exists() and not (root / MANIFEST_NAME).is_file():
        raise GeneratorError(
            f"{root} exists and is not a vendored copy (it has no {MANIFEST_NAME}); "
            "remove it or choose another --package or --dest"
        )
    write_packages(dest, {package: render(source, versions, package)})
    return root


def check(
    source: VendorSource, dest: Path, package: str, versions: Sequence[str] | None = None
) -> CheckResult:
    """Compare ``dest/package`` with what :func:`vendor` would write now (nothing is written)."""
    root = dest / package
    recorded = _read_manifest(root, package)
    if versions is None:
        versions = tuple(cast(dict[str, JsonValue], recorded["versions"]))
    expected = render(source, versions, package)
    actual = existing_files(root)
    hashes = cast(dict[str, str], recorded["files"])
    differences: list[tuple[str, str]] = []
    for rel in sorted(expected.keys() | actual.keys() | hashes.keys()):
        state = _state(rel, expected.get(rel), actual.get(rel), hashes.get(rel))
        if state is not None:
            differences.append((state, (root / rel).as_posix()))
    return CheckResult(root, tuple(versions), tuple(differences))


def _state(
    rel: str, expected: bytes | None, actual: bytes | None, hashed: str | None
) -> str | None:
    """How one file differs: ``None`` when it is as the generator writes it."""
    if actual == expected:
        return None
    if rel != MANIFEST_NAME:
        if actual is None and hashed is not None:
            return "deleted by hand"
        if actual is not None and hashed is None:
            return "added by hand"
        if actual is not None and _sha256(actual) != hashed:
            return "edited by hand"
    return "out of date"


def _snapshot(schemas: Path, key: str) -> Path:
    path = schemas / f"{key}.json"
    if not path.is_file():
        known = sorted(p.stem for p in schemas.glob("v*.json") if _VERSION_KEY.fullmatch(p.stem))
        raise GeneratorError(
            f"no snapshot for {key} in {schemas}: this generator has {', '.join(known)}"
        )
    return path


def _hand_written(package_dir: Path) -> dict[str, bytes]:
    """The package minus its generated ``vNN`` packages: ``__init__.py``, ``py.typed``, the
    runtime, and whatever else is added beside them."""
    if not (package_dir / "__init__.py").is_file():
        raise GeneratorError(f"{package_dir}: no {PACKAGE} package to vendor the runtime from")
    return {
        rel: content
        for rel, content in existing_files(package_dir).items()
        if not _VERSION_KEY.fullmatch(rel.split("/")[0])
    }


def _rename(content: bytes, package: str) -> bytes:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return content
    return _SOURCE_NAME.sub(package, text).encode("utf-8")


def _manifest(
    source: VendorSource, paths: Sequence[Path], package: str, files: Mapping[str, bytes]
) -> dict[str, JsonValue]:
    versions: dict[str, JsonValue] = {}
    for path in paths:
        snapshot = parse_snapshot(path.read_bytes(), source=path.as_posix())
        versions[path.stem] = {
            "dhis2": snapshot.dhis2.version,
            "snapshot": f"schemas/{path.name}",
            "digest": snapshot.digest,
        }
    sdk = _SDK_VERSION.search((source.package_dir / "__init__.py").read_text(encoding="utf-8"))
    return {
        "package": package,
        "vendoredFrom": PACKAGE,
        "sdkVersion": sdk.group(1) if sdk else None,
        "generator": {"name": GENERATOR_DISTRIBUTION, "version": _generator_version()},
        "versions": versions,
        "files": {rel: _sha256(content) for rel, content in files.items()},
        "check": f"python -m generator vendor --check --dest DIR --package {package}",
    }


def _read_manifest(root: Path, package: str) -> dict[str, JsonValue]:
    path = root / MANIFEST_NAME
    if not root.is_dir():
        raise GeneratorError(
            f"{root}: no vendored copy there; write one with python -m generator vendor "
            f"--versions v42 --dest {root.parent} --package {package}"
        )
    try:
        raw: object = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise GeneratorError(
            f"{path}: cannot read the vendored copy's manifest ({exc}); vendor it again"
        ) from None
    manifest = cast(dict[str, JsonValue], raw) if isinstance(raw, dict) else {}
    if not isinstance(manifest.get("files"), dict) or not isinstance(
        manifest.get("versions"), dict
    ):
        raise GeneratorError(f"{path}: not a manifest of python -m generator vendor; vendor again")
    if manifest.get("package") != package:
        raise GeneratorError(
            f"{path}: this copy was vendored as {manifest.get('package')!r}, not {package!r}"
        )
    return manifest


def _sha256(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def _generator_version() -> str:
    try:
        return version(GENERATOR_DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"
