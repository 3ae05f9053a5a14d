"""The import rewrite of ``upgrade``: user code moved from one version package to another.

With libcst, so that everything but the version key stays as written (formatting, comments,
line numbers). For each package name (``dhis2_sdk``, a vendored copy's name, dotted or relative)
it rewrites ``from P.v42… import …``, ``import P.v42…``, ``from P import v42`` (and every use
of the name it binds), attribute chains ``P.v42.X`` (also through ``import P as alias``) and
strings that name a module (``"P.v42.models.x"``, string annotations). Hands on the new source
text; :mod:`generator.upgrade` decides which files and packages, and writes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst import matchers as m
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, ScopeProvider
from typing_extensions import override


@dataclass(frozen=True, slots=True)
class VersionMove:
    """What to rewrite: ``P.{old}`` becomes ``P.{new}`` for each ``P`` in ``packages``, dotted
    names as the file writes them (a relative one with its dots: ``"..acme_dhis2"``)."""

    old: str
    new: str
    packages: Collection[str]


def rewrite_source(source: str, move: VersionMove) -> str:
    """``source`` with its uses of the ``old`` version package moved to ``new``."""
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module)
    renamed = _bound_version_names(wrapper, move)
    return wrapper.visit(_Rewriter(move, renamed, _package_aliases(module, move))).code


def _dotted(node: cst.BaseExpression | None, dots: Sequence[cst.Dot] = ()) -> str:
    name = "" if node is None else (get_full_name_for_node(node) or "")
    return "." * len(dots) + name


def _moved(dotted: str, move: VersionMove) -> str | None:
    """``P.v42`` or ``P.v42.rest`` -> the same under ``v43``; ``None`` for other modules."""
    for package in move.packages:
        prefix = f"{package}.{move.old}"
        if dotted == prefix or dotted.startswith(prefix + "."):
            return f"{package}.{move.new}{dotted[len(prefix) :]}"
    return None


def _package_aliases(module: cst.Module, move: VersionMove) -> frozenset[str]:
    """Names bound to a version-holding package: ``P`` itself, ``import P as alias``."""
    names = {package for package in move.packages if not package.startswith(".")}
    for node in m.findall(module, m.Import()):
        assert isinstance(node, cst.Import)
        for alias in node.names:
            if _dotted(alias.name) in move.packages and alias.asname is not None:
                target = alias.asname.name
                if isinstance(target, cst.Name):
                    names.add(target.value)
    return frozenset(names)


def _bound_version_names(wrapper: MetadataWrapper, move: VersionMove) -> frozenset[cst.Name]:
    """Every ``Name`` that uses ``v42`` bound by ``from P import v42`` (no ``as``): renamed too."""
    scopes = wrapper.resolve(ScopeProvider)
    found: set[cst.Name] = set()
    for scope in set(scopes.values()):
        if scope is None:
            continue
        for assignment in scope.assignments[move.old]:
            node = getattr(assignment, "node", None)
            if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
                continue
            if _dotted(node.module, node.relative) not in move.packages:
                continue
            for access in assignment.references:
                if isinstance(access.node, cst.Name):
                    found.add(access.node)
    return frozenset(found)


class _Rewriter(cst.CSTTransformer):
    def __init__(
        self, move: VersionMove, renamed: frozenset[cst.Name], aliases: frozenset[str]
    ) -> None:
        super().__init__()
        self._move = move
        self._renamed = renamed
        self._aliases = aliases
        self._in_import = 0

    @override
    def visit_Import(self, node: cst.Import) -> bool:
        self._in_import += 1
        return True

    @override
    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        self._in_import -= 1
        names = [self._import_alias(alias) for alias in updated_node.names]
        return updated_node.with_changes(names=names)

    @override
    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self._in_import += 1
        return True

    @override
    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        self._in_import -= 1
        dotted = _dotted(original_node.module, original_node.relative)
        moved = _moved(dotted, self._move)
        if moved is not None:
            module = moved.lstrip(".")
            return updated_node.with_changes(module=cst.parse_expression(module))
        if dotted in self._move.packages and not isinstance(updated_node.names, cst.ImportStar):
            names = [
                alias.with_changes(name=cst.Name(self._move.new))
                if isinstance(alias.name, cst.Name) and alias.name.value == self._move.old
                else alias
                for alias in updated_node.names
            ]
            return updated_node.with_changes(names=names)
        return updated_node

    def _import_alias(self, alias: cst.ImportAlias) -> cst.ImportAlias:
        moved = _moved(_dotted(alias.name), self._move)
        if moved is None:
            return alias
        name = cst.parse_expression(moved)
        assert isinstance(name, cst.Attribute | cst.Name)
        return alias.with_changes(name=name)

    @override
    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if original_node in self._renamed and not self._in_import:
            return updated_node.with_changes(value=self._move.new)
        return updated_node

    @override
    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        if self._in_import or original_node.attr.value != self._move.old:
            return updated_node
        if _dotted(original_node.value) in self._aliases:
            return updated_node.with_changes(attr=cst.Name(self._move.new))
        return updated_node

    @override
    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        text = updated_node.evaluated_value
        if not isinstance(text, str):
            return updated_node
        moved = _moved(text, self._move)
        if moved is None:
            return updated_node
        quote = updated_node.quote
        return updated_node.with_changes(value=f"{updated_node.prefix}{quote}{moved}{quote}")
