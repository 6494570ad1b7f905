"""Pod-spec pieces beyond the main container: init containers, native sidecars,
scheduling (node selector, tolerations, affinity, priority) and envFrom.

Each piece is parsed from its Args section into a small spec that renders itself in
the Kubernetes API's (camelCase) shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from .. import _rules as rule
from .._fields import Fields
from ._containers import (
    INIT,
    SIDECAR,
    ContainerSpec,
    read_command,
    read_env,
    read_image,
    read_mounts,
    read_pull_policy,
    read_resources,
    read_security,
)
from .args import (
    AffinityArgs,
    ContainerArgs,
    EnvFromArgs,
    NodeRequirementArgs,
    ResourcesArgs,
    TolerationArgs,
)
from .defaults import DEFAULTS
from .ports import extra_ports
from .probes import build_probes


def env_from(r: Fields, key: str = "env_from") -> list[dict[str, Any]]:
    """envFrom entries for existing ConfigMaps and Secrets."""
    out: list[dict[str, Any]] = []
    for e in r.sections(key, EnvFromArgs):
        sources = [k for k in ("config_map_name", "secret_name") if e.present(k)]
        if len(sources) != 1:
            raise r.fail(
                f"{key}[{len(out)}]",
                sorted(sources),
                "must set exactly one of config_map_name, secret_name",
            )
        ref_key = "configMapRef" if sources[0] == "config_map_name" else "secretRef"
        ref: dict[str, Any] = {"name": e.value(sources[0], None, rule.dns_subdomain)}
        if e.boolean("optional", DEFAULTS["env_from.optional"]):
            ref["optional"] = True
        entry: dict[str, Any] = {ref_key: ref}
        prefix = e.optional_text("prefix")
        if prefix is not None:
            entry["prefix"] = rule.env_name(r.component, e.field("prefix"), prefix)
        out.append(entry)
    return out


def build_containers(
    r: Fields,
    key: str,
    *,
    sidecar: bool,
    allow_unpinned: bool,
    pull_policy: pulumi.Input[str],
    run_as_user: pulumi.Input[int],
    volumes: Mapping[str, bool],
    secret_keys: Sequence[str],
) -> list[ContainerSpec]:
    """``init_containers`` or ``sidecars``. ``volumes``: pod volume name -> exists."""
    out = []
    kind = SIDECAR if sidecar else INIT
    for s in r.sections(key, ContainerArgs):
        if not s.present("name"):
            raise s.fail("name", None, "is required")
        name = rule.dns_label(r.component, s.field("name"), s.known("name"))
        image = read_image(s, allow_unpinned)
        for only_sidecars in ("ports", "probes"):
            if not sidecar and s.present(only_sidecars):
                raise s.fail(
                    only_sidecars,
                    "[...]",
                    f"only sidecars have {only_sidecars} (an init container runs to completion)",
                )
        ports = extra_ports(s, "ports", container=name) if sidecar else []
        keys = s.texts("env_from_secret_keys")
        for i, k in enumerate(keys):
            if k not in secret_keys:
                raise s.fail(f"env_from_secret_keys[{i}]", k, "is not a key of secrets")
        out.append(
            ContainerSpec(
                name=name,
                image=image,
                image_pull_policy=read_pull_policy(s, pull_policy),
                kind=kind,
                resources=read_resources(s.nested_or_empty("resources", ResourcesArgs)),
                command=read_command(s, "command"),
                args=read_command(s, "args"),
                env=read_env(s, kind),
                secret_env=keys,
                env_from=env_from(s),
                ports=ports,
                mounts=read_mounts(s, volumes),
                security=read_security(s),
                probes=build_probes(s, {p.name: p for p in ports}, None, "tcp")
                if s.present("probes")
                else None,
            )
        )
    return out


# -- scheduling --------------------------------------------------------------------------


def tolerations(r: Fields) -> list[dict[str, Any]]:
    out = []
    c = r.component
    for t in r.sections("tolerations", TolerationArgs):
        operator = t.text("operator", DEFAULTS["tolerations.operator"])
        rule.one_of(c, t.field("operator"), operator, rule.TOLERATION_OPERATORS)
        key = t.optional_text("key")
        if key:
            rule.qualified_name(c, t.field("key"), key)
        elif operator != "Exists":
            raise t.fail("operator", operator, 'must be "Exists" when key is empty')
        entry: dict[str, Any] = {"operator": operator}
        if key:
            entry["key"] = key
        value = t.optional_text("value")
        if value:
            if operator == "Exists":
                raise t.fail("value", value, 'must be empty with operator "Exists"')
            entry["value"] = rule.version_label(c, t.field("value"), value)
        effect = t.optional_text("effect")
        if effect:
            entry["effect"] = rule.one_of(c, t.field("effect"), effect, rule.TAINT_EFFECTS)
        if t.present("toleration_seconds"):
            if effect != "NoExecute":
                raise t.fail(
                    "toleration_seconds",
                    t.raw("toleration_seconds"),
                    "only applies with effect NoExecute",
                )
            entry["tolerationSeconds"] = t.value("toleration_seconds", None, rule.non_negative_int)
        out.append(entry)
    return out


def affinity(r: Fields, selector: Mapping[str, str]) -> dict[str, Any] | None:
    a = r.nested("affinity", AffinityArgs)
    if a is None:
        return None
    out: dict[str, Any] = {}
    node: dict[str, Any] = {}
    required = [
        _requirement(q, weighted=False) for q in a.sections("node_required", NodeRequirementArgs)
    ]
    if required:
        node["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": [{"matchExpressions": required}]
        }
    preferred = []
    for q in a.sections("node_preferred", NodeRequirementArgs):
        weight = q.integer("weight", DEFAULTS["affinity.node_preferred.weight"])
        if not 1 <= weight <= 100:
            raise q.fail("weight", weight, "must be an integer from 1 to 100")
        preferred.append(
            {"weight": weight, "preference": {"matchExpressions": [_requirement(q, weighted=True)]}}
        )
    if preferred:
        node["preferredDuringSchedulingIgnoredDuringExecution"] = preferred
    if node:
        out["nodeAffinity"] = node
    mode = a.text("pod_anti_affinity", DEFAULTS["affinity.pod_anti_affinity"])
    rule.one_of(a.component, a.field("pod_anti_affinity"), mode, rule.ANTI_AFFINITY)
    topology = a.text(
        "pod_anti_affinity_topology_key", DEFAULTS["affinity.pod_anti_affinity_topology_key"]
    )
    rule.qualified_name(a.component, a.field("pod_anti_affinity_topology_key"), topology)
    term = {"labelSelector": {"matchLabels": dict(selector)}, "topologyKey": topology}
    if mode == "preferred":
        out["podAntiAffinity"] = {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": term}
            ]
        }
    elif mode == "required":
        out["podAntiAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
    return out or None


def _requirement(q: Fields, *, weighted: bool) -> dict[str, Any]:
    c = q.component
    if not weighted and q.present("weight"):
        raise q.fail("weight", q.raw("weight"), "only applies to affinity.node_preferred")
    key = rule.qualified_name(c, q.field("key"), q.required_text("key"))
    operator = rule.one_of(c, q.field("operator"), q.required_text("operator"), rule.NODE_OPERATORS)
    values = q.texts("values")
    if operator in ("In", "NotIn") and not values:
        raise q.fail("values", values, f"needs at least one value with operator {operator}")
    if operator in ("Exists", "DoesNotExist") and values:
        raise q.fail("values", values, f"must be empty with operator {operator}")
    if operator in ("Gt", "Lt") and (len(values) != 1 or not values[0].lstrip("-").isdigit()):
        raise q.fail("values", values, f"must be exactly one integer with operator {operator}")
    entry: dict[str, Any] = {"key": key, "operator": operator}
    if values:
        entry["values"] = values
    return entry
