"""Adopting a running workload in place: keep its selector, take over its fields.

A Deployment's selector is immutable, so a service first applied with kubectl or Helm
(selector ``app: cart``) cannot move to Moorage's ``app.kubernetes.io/*`` selector without
being deleted. ``selector_labels`` keeps the existing one: it replaces Moorage's selector
labels in every selector (Deployment, Services, PodDisruptionBudget, NetworkPolicy,
spread and anti-affinity terms) and is added to the pod labels, so old and new pods
are selected alike during the roll.

``adopt: true`` marks every object with ``pulumi.com/patchForce: "true"``: the Kubernetes
provider's server-side apply then takes over an object that already exists (an upsert,
no replace) and the fields the previous tool managed, instead of failing on the conflict.

Both work through the same transform on the component as ``patches``, before them.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from .. import _rules as rule
from .._defaults import Computed
from .._fields import Fields
from .._rules import component_label
from . import _patches as patches
from ._identity import selector_labels

DEFAULTS: dict[str, Any] = {
    "selector_labels": Computed("app.kubernetes.io/name and app.kubernetes.io/instance"),
    "adopt": False,
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""

FORCE_ANNOTATION = "pulumi.com/patchForce"


def read_selector(r: Fields) -> dict[str, str] | None:
    """``selector_labels`` (known when the program runs: selectors are immutable)."""
    if not r.present("selector_labels"):
        return None
    labels = r.mapping("selector_labels")
    if not labels:
        raise r.fail("selector_labels", labels, "must not be empty: it selects the pods")
    for key, value in labels.items():
        rule.known(r.component, r.field(f"selector_labels.{key}"), value)
        rule.qualified_name(r.component, r.field(f"selector_labels.{key}"), key)
        rule.version_label(r.component, r.field(f"selector_labels.{key}"), value)
    return {str(k): str(v) for k, v in labels.items()}


def with_selector(
    kind: str, body: dict[str, Any], default: Mapping[str, str], wanted: Mapping[str, str]
) -> dict[str, Any]:
    """``body`` with ``wanted`` in place of the ``default`` selector labels wherever they
    select pods, and added to a Deployment's pod labels."""
    out: dict[str, Any] = _replace(body, default, wanted)
    if kind == "Deployment":
        template = out.setdefault("spec", {}).setdefault("template", {})
        meta = template.setdefault("metadata", {})
        meta["labels"] = {**(meta.get("labels") or {}), **wanted}
    return out


def _replace(value: Any, default: Mapping[str, str], wanted: Mapping[str, str]) -> Any:
    if isinstance(value, list):
        return [_replace(item, default, wanted) for item in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("matchLabels", "selector") and _selects(item, default):
            out[key] = {
                **{k: v for k, v in item.items() if k not in default},
                **wanted,
            }
        elif key == "metadata":
            out[key] = item  # object and pod labels are not selectors
        else:
            out[key] = _replace(item, default, wanted)
    return out


def _selects(item: Any, default: Mapping[str, str]) -> bool:
    return isinstance(item, Mapping) and all(item.get(k) == v for k, v in default.items())


def forced(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` annotated so server-side apply takes over fields another tool manages."""
    meta = dict(body.get("metadata") or {})
    meta["annotations"] = {**(meta.get("annotations") or {}), FORCE_ANNOTATION: "true"}
    return {**body, "metadata": meta}


def component_options(
    name: str,
    wanted: Mapping[str, str] | None,
    adopt: bool,
    patch_specs: Sequence[patches.PatchSpec],
    opts: pulumi.ResourceOptions | None,
) -> pulumi.ResourceOptions | None:
    """The component's options, with one transform for ``selector_labels``, ``adopt`` and
    ``patches`` (as the spec read them) when any is set (a transform on a component
    applies to its children)."""
    if wanted is None and not adopt and not patch_specs:
        return opts
    component = component_label(name)
    default = selector_labels(name)

    def apply(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        kind = patches.kind_of(args.type_)
        if kind is None:
            return None
        props = dict(args.props)
        kept: dict[str, Any] = {k: props[k] for k in ("apiVersion", "kind") if k in props}
        body = {k: v for k, v in props.items() if k not in kept}
        if wanted is not None:
            body = with_selector(kind, body, default, wanted)
        if adopt:
            body = forced(body)
        body = patches.patched(patch_specs, component, kind, body)
        return pulumi.ResourceTransformResult(props={**kept, **body}, opts=args.opts)

    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(transforms=[apply]))
