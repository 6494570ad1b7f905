"""Read the manifests to convert: multi-document YAML files, checked before anything else.

Each problem is one line (a :class:`ConvertError`): a missing file, text that is not YAML,
a YAML bomb (aliases that expand past :data:`MAX_EXPANDED_NODES` nodes, or nesting deeper
than :data:`MAX_NESTING`), a document without ``kind``, an unknown ``apiVersion`` and two
objects with the same kind, namespace and name. The YAML is composed first, without
expanding aliases, so a bomb is measured and refused before it is built.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .._errors import MoorageError

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_EXPANDED_NODES = 1_000_000
"""Nodes a file may hold once its aliases are expanded (a real 100-service app: ~50 000)."""
MAX_NESTING = 100

KNOWN_API_VERSIONS = frozenset(
    {
        "v1",
        "apps/v1",
        "batch/v1",
        "autoscaling/v1",
        "autoscaling/v2",
        "policy/v1",
        "networking.k8s.io/v1",
        "rbac.authorization.k8s.io/v1",
        "apiextensions.k8s.io/v1",
        "scheduling.k8s.io/v1",
        "storage.k8s.io/v1",
        "admissionregistration.k8s.io/v1",
        "coordination.k8s.io/v1",
        "discovery.k8s.io/v1",
        "gateway.networking.k8s.io/v1",
        "monitoring.coreos.com/v1",
    }
)
"""apiVersions of the pinned Kubernetes (and the CRDs Moorage knows); others are refused,
since a typo there (``apps/v1beta1``) means the object would not apply either."""

LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it (about ten times faster), else the pure one."""
SERVER_FIELDS = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


class ConvertError(MoorageError, ValueError):
    """Input that ``moorage convert`` refuses; the message is one line naming the file."""


@dataclass(frozen=True)
class KubeObject:
    """One Kubernetes object from the input, without the fields the API server adds."""

    kind: str
    namespace: str
    name: str
    body: dict[str, Any]
    source: str
    """``FILE`` and the document's number, e.g. ``app.yaml#3``."""

    @property
    def ref(self) -> str:
        """``Kind namespace/name``, as the report names it."""
        return (
            f"{self.kind} {self.namespace}/{self.name}"
            if self.namespace
            else f"{self.kind} {self.name}"
        )


def load_files(paths: Iterable[str], namespace: str | None = None) -> list[KubeObject]:
    """Every object of ``paths`` in order; objects without a namespace get ``namespace``
    (default ``default``), and ``namespace`` given moves every object there."""
    texts = []
    for path in paths:
        file = Path(path)
        if not file.is_file():
            raise ConvertError(f"{path}: no such file")
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ConvertError(f"{path}: is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        texts.append((path, file.read_text(encoding="utf-8", errors="replace")))
    return load_texts(texts, namespace)


def load_texts(texts: Iterable[tuple[str, str]], namespace: str | None = None) -> list[KubeObject]:
    """:func:`load_files` on ``(name, text)`` pairs."""
    objects: list[KubeObject] = []
    seen: dict[tuple[str, str, str], str] = {}
    for source, text in texts:
        for index, document in enumerate(_documents(source, text), start=1):
            for item in _items(document):
                obj = _object(f"{source}#{index}", item, namespace)
                key = (obj.kind, obj.namespace, obj.name)
                if key in seen:
                    raise ConvertError(
                        f"{obj.source}: {obj.ref} is defined twice (first in {seen[key]})"
                    )
                seen[key] = obj.source
                objects.append(obj)
    return objects


def _documents(source: str, text: str) -> list[Any]:
    try:
        nodes = list(yaml.compose_all(text, Loader=LOADER))
        for node in nodes:
            if node is not None and _expanded_size(source, node, {}, 0) > MAX_EXPANDED_NODES:
                raise ConvertError(
                    f"{source}: is a YAML bomb: its aliases expand past "
                    f"{MAX_EXPANDED_NODES:,} nodes"
                )
        return [_construct(node) for node in nodes]
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConvertError(f"{source}: is not valid YAML: {first}{where}") from None
    except (ValueError, RecursionError) as error:
        if isinstance(error, ConvertError):
            raise
        raise ConvertError(
            f"{source}: cannot be read: it holds a number longer than 4300 digits or is "
            "nested too deeply"
        ) from None


def _construct(node: yaml.Node | None) -> Any:
    if node is None:
        return None
    loader = LOADER("")
    try:
        return loader.construct_document(node)  # type: ignore[no-untyped-call]
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]


def _expanded_size(source: str, node: yaml.Node, sizes: dict[int, int], depth: int) -> int:
    """Nodes in ``node`` once every alias is expanded (shared nodes counted each time)."""
    if depth > MAX_NESTING:
        raise ConvertError(f"{source}: is nested more than {MAX_NESTING} levels deep")
    known = sizes.get(id(node))
    if known is not None:
        return known
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(source, child, sizes, depth + 1) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(
            _expanded_size(source, k, sizes, depth + 1)
            + _expanded_size(source, v, sizes, depth + 1)
            for k, v in node.value
        )
    sizes[id(node)] = size
    return size


def _items(document: Any) -> list[Any]:
    """A document's objects: a ``List`` (``kubectl get -o yaml``) is its items."""
    if document is None:
        return []
    if isinstance(document, dict) and document.get("kind") == "List":
        return list(document.get("items") or [])
    return [document]


def _object(source: str, item: Any, namespace: str | None) -> KubeObject:
    if not isinstance(item, dict):
        raise ConvertError(f"{source}: is not a Kubernetes object (a YAML mapping)")
    kind = item.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ConvertError(f"{source}: has no kind")
    api_version = item.get("apiVersion")
    if api_version not in KNOWN_API_VERSIONS:
        raise ConvertError(
            f"{source}: {kind} has an unknown apiVersion {api_version!r} "
            "(not served by the pinned Kubernetes version)"
        )
    metadata = item.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        raise ConvertError(f"{source}: {kind} has no metadata.name")
    body = _without_server_fields(item)
    given = body["metadata"].get("namespace")
    resolved = namespace or (given if isinstance(given, str) and given else "default")
    if kind != "Namespace":
        body["metadata"]["namespace"] = resolved
    return KubeObject(kind, resolved if kind != "Namespace" else "", name, body, source)


def _without_server_fields(item: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(item)
    body.pop("status", None)
    metadata = body["metadata"]
    for name in SERVER_FIELDS:
        metadata.pop(name, None)
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict):
        annotations.pop(LAST_APPLIED, None)
        if not annotations:
            metadata.pop("annotations")
    return body
