"""Pod-spec pieces beyond the main container: init containers, native sidecars,
scheduling (node selector, tolerations, affinity, priority) and envFrom.

Each piece is parsed from its Args section into a small spec that renders itself in
the Kubernetes API's (camelCase) shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from .. import _rules as rule
from .._errors import ValidationError
from .._fields import Fields, cross_checked
from .args import (
    AffinityArgs,
    ContainerArgs,
    EnvFromArgs,
    NodeRequirementArgs,
    ResourcesArgs,
    TolerationArgs,
    VolumeMountArgs,
)
from .defaults import DEFAULTS
from .ports import PortSpec, extra_ports
from .probes import ProbesSpec, build_probes

HARDENED_CONTEXT: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "privileged": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
"""The securityContext of every container (Pod Security "restricted")."""


@dataclass(frozen=True)
class ResourcesSpec:
    cpu_request: pulumi.Input[str]
    cpu_limit: pulumi.Input[str] | None
    memory_request: pulumi.Input[str]
    memory_limit: pulumi.Input[str]
    ephemeral_storage_request: pulumi.Input[str]
    ephemeral_storage_limit: pulumi.Input[str]

    def manifest(self) -> dict[str, Any]:
        limits: dict[str, Any] = {
            "memory": self.memory_limit,
            "ephemeral-storage": self.ephemeral_storage_limit,
        }
        if self.cpu_limit is not None:
            limits["cpu"] = self.cpu_limit
        return {
            "requests": {
                "cpu": self.cpu_request,
                "memory": self.memory_request,
                "ephemeral-storage": self.ephemeral_storage_request,
            },
            "limits": limits,
        }


def build_resources(res: Fields, prefix: str = "resources") -> ResourcesSpec:
    """Requests and limits with the defaults of the DEFAULTS table (``resources.*``)."""
    c = res.component

    def default(key: str) -> Any:
        return DEFAULTS[f"resources.{key}"]

    def pair(kind: str) -> list[Any]:
        request = res.value(f"{kind}_request", default(f"{kind}_request"), rule.quantity_str)
        limit = res.value(f"{kind}_limit", default(f"{kind}_limit"), rule.quantity_str)
        return cross_checked(
            [request, limit],
            lambda q, lim: _request_within_limit(c, res.prefix, kind, q, lim),
        )

    if res.boolean("cpu_limit_enabled", default("cpu_limit_enabled")):
        cpu_request, cpu_limit = pair("cpu")
    else:
        cpu_request = res.value("cpu_request", default("cpu_request"), rule.quantity_str)
        cpu_limit = None
    memory_request, memory_limit = pair("memory")
    storage_request, storage_limit = pair("ephemeral_storage")
    return ResourcesSpec(
        cpu_request, cpu_limit, memory_request, memory_limit, storage_request, storage_limit
    )


def _request_within_limit(c: str, prefix: str, kind: str, request: str, limit: str) -> None:
    if prefix == "resources.":
        rule.request_within_limit(c, kind, request, limit)
        return
    if rule.quantity(c, f"{prefix}{kind}_request", request) > rule.quantity(
        c, f"{prefix}{kind}_limit", limit
    ):
        raise ValidationError(
            c,
            f"{prefix}{kind}_request",
            request,
            f"is greater than {prefix}{kind}_limit ({limit!r})",
        )


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


@dataclass(frozen=True)
class ContainerSpec:
    """An init container or a native sidecar, rendered with the hardened defaults."""

    name: str
    image: pulumi.Input[str]
    image_pull_policy: pulumi.Input[str]
    sidecar: bool
    resources: ResourcesSpec
    command: list[Any] | None = None
    args: list[Any] | None = None
    env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secret_keys: Sequence[str] = ()
    env_from: list[dict[str, Any]] = field(default_factory=list)
    ports: list[PortSpec] = field(default_factory=list)
    mounts: list[dict[str, Any]] = field(default_factory=list)
    security: dict[str, Any] = field(default_factory=dict)
    probes: ProbesSpec | None = None

    def manifest(self, secret_name: str, tmp_mount: dict[str, Any]) -> dict[str, Any]:
        c: dict[str, Any] = {
            "name": self.name,
            "image": self.image,
            "imagePullPolicy": self.image_pull_policy,
            "resources": self.resources.manifest(),
            "securityContext": self.security,
            "volumeMounts": [tmp_mount, *self.mounts],
        }
        if self.sidecar:
            # A native sidecar: started before the main container, stopped after it.
            c["restartPolicy"] = "Always"
        if self.probes is not None:
            c.update(self.probes.manifest())
        if self.ports:
            c["ports"] = [p.container_port() for p in self.ports]
        variables: list[dict[str, Any]] = [
            {"name": k, "value": v} for k, v in sorted(self.env.items())
        ]
        variables += [
            {"name": k, "valueFrom": {"secretKeyRef": {"name": secret_name, "key": k}}}
            for k in self.secret_keys
        ]
        if variables:
            c["env"] = variables
        if self.env_from:
            c["envFrom"] = self.env_from
        if self.command is not None:
            c["command"] = self.command
        if self.args is not None:
            c["args"] = self.args
        return c


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
    c = r.component
    for s in r.sections(key, ContainerArgs):
        for required in ("name", "image"):
            if not s.present(required):
                raise s.fail(required, None, "is required")
        name = rule.dns_label(c, s.field("name"), s.known("name"))
        image = s.value("image", None, lambda c_, f, v: _image(c_, f, v, allow_unpinned))
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
        env = s.mapping("env")
        for k in env:
            rule.env_name(c, s.field(f"env.{k}"), k)
        out.append(
            ContainerSpec(
                name=name,
                image=image,
                image_pull_policy=s.value(
                    "image_pull_policy",
                    pull_policy,
                    lambda c_, f, v: rule.one_of(c_, f, v, rule.PULL_POLICIES),
                ),
                sidecar=sidecar,
                resources=build_resources(s.nested_or_empty("resources", ResourcesArgs)),
                command=s.items("command", "it is validated up front")
                if s.present("command")
                else None,
                args=s.items("args", "it is validated up front") if s.present("args") else None,
                env=env,
                secret_keys=keys,
                env_from=env_from(s),
                ports=ports,
                mounts=_mounts(s, volumes),
                security=_security(s, run_as_user),
                probes=build_probes(s, {p.name: p for p in ports}, None, "tcp")
                if s.present("probes")
                else None,
            )
        )
    return out


def _image(component: str, field_name: str, value: object, allow_unpinned: bool) -> str:
    try:
        return rule.image(component, value, allow_unpinned)
    except ValidationError as error:
        raise ValidationError(component, field_name, value, error.rule) from None


def _mounts(s: Fields, volumes: Mapping[str, bool]) -> list[dict[str, Any]]:
    mounts = []
    paths = {"/tmp"}
    for m in s.sections("volume_mounts", VolumeMountArgs):
        name = m.required_text("name")
        if name == "tmp":
            raise m.fail("name", name, "is mounted at /tmp already")
        if name not in volumes:
            raise m.fail(
                "name",
                name,
                f"is not a volume of the pod; expected one of: {', '.join(sorted(volumes))}",
            )
        path = rule.absolute_path(s.component, m.field("mount_path"), m.known("mount_path"))
        if path in paths:
            raise m.fail("mount_path", path, "is already a mount path of this container")
        paths.add(path)
        mounts.append(
            {
                "name": name,
                "mountPath": path,
                "readOnly": m.boolean("read_only", DEFAULTS["sidecars.volume_mounts.read_only"]),
            }
        )
    return mounts


def _security(s: Fields, run_as_user: pulumi.Input[int]) -> dict[str, Any]:
    """The hardened context, weakened only where the user asked (the policy pack flags it)."""
    context = {**HARDENED_CONTEXT, "capabilities": {"drop": ["ALL"]}}
    privileged = s.boolean("privileged", DEFAULTS["sidecars.privileged"])
    escalation = s.boolean(
        "allow_privilege_escalation", privileged or DEFAULTS["sidecars.allow_privilege_escalation"]
    )
    if privileged and not escalation:
        raise s.fail(
            "allow_privilege_escalation",
            False,
            "cannot be false for a privileged container (Kubernetes rejects the pair)",
        )
    context["privileged"] = privileged
    context["allowPrivilegeEscalation"] = escalation
    context["readOnlyRootFilesystem"] = s.boolean(
        "read_only_root_filesystem", DEFAULTS["sidecars.read_only_root_filesystem"]
    )
    if s.present("run_as_user"):
        user = rule.non_negative_int(s.component, s.field("run_as_user"), s.known("run_as_user"))
        context["runAsUser"] = user
        if user == 0:
            context["runAsNonRoot"] = False
    added = s.texts("capabilities_add")
    if added:
        context["capabilities"] = {"drop": ["ALL"], "add": [a.upper() for a in added]}
    return context


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
