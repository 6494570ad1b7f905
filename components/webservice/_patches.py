"""The escape hatch: patches applied to the rendered objects, the last resort.

A patch selects objects by ``kind`` (and optionally ``name``) and changes them with an
RFC 6902 JSON patch (``json_patch``) or a strategic-merge patch (``strategic_merge``, the
``kubectl patch --type strategic`` subset: maps merge, ``null`` deletes a key, lists of
objects with a ``name`` merge by name, other lists replace). They run after Moorage has
rendered an object and before it is registered, through a Pulumi transform on the
component, so they see exactly what would be applied. Each patched object is checked
against the Kubernetes OpenAPI schema (``kubernetes-validate``, the check of ``make
render``) when that package is installed, and by the API server in any case.

Patches cannot target a Secret: its values are Pulumi secrets and must not pass through
user code in plain text.
"""

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import jsonpatch
import pulumi
from typing_extensions import NotRequired

from .._errors import ValidationError
from .._fields import Fields

DEFAULTS: dict[str, Any] = {"patches.name": "every object of that kind"}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""

# Kubernetes kinds a WebService renders, and the Pulumi type token of each.
KINDS = {
    "Namespace": "kubernetes:core/v1:Namespace",
    "ServiceAccount": "kubernetes:core/v1:ServiceAccount",
    "ConfigMap": "kubernetes:core/v1:ConfigMap",
    "PersistentVolumeClaim": "kubernetes:core/v1:PersistentVolumeClaim",
    "Deployment": "kubernetes:apps/v1:Deployment",
    "Service": "kubernetes:core/v1:Service",
    "HorizontalPodAutoscaler": "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "PodDisruptionBudget": "kubernetes:policy/v1:PodDisruptionBudget",
    "NetworkPolicy": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "Ingress": "kubernetes:networking.k8s.io/v1:Ingress",
}
_OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")
_BY_TOKEN = {token: kind for kind, token in KINDS.items()}


class PatchArgs(TypedDict):
    """A change to the rendered objects that the Args cannot express (the last resort).

    Set exactly one of ``json_patch`` and ``strategic_merge``."""

    kind: pulumi.Input[str]
    """Kind of the objects to patch, e.g. "Deployment" (not "Secret")."""
    name: NotRequired[pulumi.Input[str]]
    """``metadata.name`` of the object to patch, e.g. "api"."""
    json_patch: NotRequired[pulumi.Input[Sequence[pulumi.Input[Mapping[str, Any]]]]]
    """RFC 6902 operations, e.g. [{"op": "remove", "path": "/spec/template/spec/volumes/0"}]."""
    strategic_merge: NotRequired[pulumi.Input[Mapping[str, Any]]]
    """A strategic-merge patch, e.g. {"spec": {"template": {"spec": {"containers":
    [{"name": "api", "resources": {"limits": {"ephemeral-storage": None}}}]}}}}."""


@dataclass(frozen=True)
class PatchSpec:
    """One validated patch."""

    kind: str
    name: str | None
    json_patch: list[dict[str, Any]] | None
    strategic_merge: dict[str, Any] | None

    def selects(self, kind: str, name: object) -> bool:
        return kind == self.kind and (self.name is None or self.name == name)

    def apply(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with this patch applied (a new object; ``body`` is left alone)."""
        if self.json_patch is not None:
            result: dict[str, Any] = jsonpatch.apply_patch(body, self.json_patch)
            return result
        assert self.strategic_merge is not None
        return strategic_merge(body, self.strategic_merge)


def read(r: Fields) -> list[PatchSpec]:
    """The ``patches``; they must be known when the program runs."""
    return [_read_one(item) for item in r.sections("patches", PatchArgs)]


def _read_one(p: Fields) -> PatchSpec:
    kind = p.text("kind", "")
    if kind == "Secret":
        raise p.fail("kind", kind, "cannot be Secret: its values are secrets")
    if kind not in KINDS:
        raise p.fail("kind", kind, f"must be one of: {', '.join(KINDS)}")
    name = p.optional_text("name")
    given = [key for key in ("json_patch", "strategic_merge") if p.present(key)]
    if len(given) != 1:
        raise p.fail("json_patch", None, "set exactly one of json_patch and strategic_merge")
    if given == ["json_patch"]:
        ops = [dict(op) for op in p.raw("json_patch")]
        for i, op in enumerate(ops):
            if op.get("op") not in _OPERATIONS or not isinstance(op.get("path"), str):
                raise p.fail(
                    f"json_patch[{i}]",
                    None,
                    f"must be an RFC 6902 operation: op one of {', '.join(_OPERATIONS)}, "
                    'and a path such as "/spec/replicas"',
                )
        return PatchSpec(kind, name, ops, None)
    merge = p.raw("strategic_merge")
    if not isinstance(merge, Mapping):
        raise p.fail("strategic_merge", None, "must be a mapping (the object's fields)")
    return PatchSpec(kind, name, None, dict(merge))


def strategic_merge(body: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` merged with ``patch``: maps merge, ``None`` deletes a key, lists of
    objects that all have a ``name`` merge by name (``{"name": X, "$patch": "delete"}``
    removes one), other lists are replaced."""
    out = copy.deepcopy(dict(body))
    for key, change in patch.items():
        if change is None:
            out.pop(key, None)
        elif isinstance(change, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = strategic_merge(out[key], change)
        elif _named_list(change) and _named_list(out.get(key)):
            out[key] = _merge_by_name(out[key], change)
        else:
            out[key] = copy.deepcopy(change)
    return out


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, Mapping) and "name" in item for item in value
    )


def _merge_by_name(items: list[Any], changes: list[Any]) -> list[Any]:
    merged = [dict(item) for item in items]
    for change in changes:
        index = next((i for i, item in enumerate(merged) if item["name"] == change["name"]), None)
        if change.get("$patch") == "delete":
            if index is not None:
                merged.pop(index)
        elif index is None:
            merged.append(copy.deepcopy(dict(change)))
        else:
            merged[index] = strategic_merge(merged[index], change)
    return merged


def patched(
    patches: Sequence[PatchSpec], component: str, kind: str, body: dict[str, Any]
) -> dict[str, Any]:
    """``body`` (an object of ``kind``) with every patch that selects it applied, checked
    against the Kubernetes schema."""
    name = (body.get("metadata") or {}).get("name")
    chosen = [p for p in patches if p.selects(kind, name)]
    if not chosen:
        return body
    for patch in chosen:
        try:
            body = patch.apply(body)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
            raise ValidationError(
                component, "patches", f"{kind}/{name}", f"does not apply: {error}"
            ) from None
    problems = schema_errors(kind, body)
    if problems:
        raise ValidationError(
            component,
            "patches",
            f"{kind}/{name}",
            "leaves the object invalid for the Kubernetes schema: " + "; ".join(problems),
        )
    return body


def schema_errors(kind: str, body: Mapping[str, Any]) -> list[str]:
    """What the Kubernetes OpenAPI schema (the check of ``make render``) finds wrong in
    ``body``; nothing when kubernetes-validate is not installed or a value is unknown."""
    try:
        import kubernetes_validate
    except ImportError:
        return []
    version = _kubernetes_version()
    if version is None:
        return []
    group_version = KINDS[kind].split(":")[1].rsplit("/", 1)
    api_version = group_version[1] if group_version[0] == "core" else "/".join(group_version)
    document = {"apiVersion": api_version, "kind": kind, **body}
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'.'.join(str(p) for p in error.path)}: {error.message}"]
    except Exception:  # an unknown value (preview) or a schema the package lacks
        return []
    return []


def _kubernetes_version() -> str | None:
    """The pinned Kubernetes version (tools/versions.env), when this is a checkout."""
    versions = Path(__file__).resolve().parents[2] / "tools" / "versions.env"
    if not versions.is_file():
        return None
    for line in versions.read_text().splitlines():
        if line.startswith("KUBERNETES_VERSION="):
            return line.split("=", 1)[1].strip()
    return None


def kind_of(type_token: str) -> str | None:
    """The Kubernetes kind of a child's Pulumi type, when patches may target it."""
    return _BY_TOKEN.get(type_token)
