"""Containers: the main container, init containers and native sidecars share one model.

One spec (:class:`ContainerSpec`), one set of readers (env, command and args, resources,
security context, mounts) and one renderer (:func:`render_container`). The kind of a
container decides only what Kubernetes decides:

- the main container's fields sit flat on ``WebServiceArgs`` (``container_name`` and
  ``container_args`` for ``name`` and ``args``), its security context is always the
  hardened one, and only it has ``lifecycle`` hooks and service references in ``env``;
- init containers run to completion before the pod starts, so they have no ports and
  no probes;
- sidecars are native sidecars (``restartPolicy: Always``): started before the main
  container and stopped after it; they may have ports and probes.

Every container gets the same defaults (resources, hardened context) unless it sets its own.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from .. import _rules as rule
from .._defaults import Computed
from .._errors import ValidationError
from .._fields import Fields, checked, cross_checked
from ._ports import PortArgs, PortSpec, extra_ports
from ._probes import ProbesArgs, ProbesSpec
from ._probes import read as read_probes
from ._shutdown import shutdown, with_pre_stop_sleep

_RESOURCES = {
    "cpu_request": "100m",
    "cpu_limit": "1",
    "cpu_limit_enabled": True,
    "memory_request": "256Mi",
    "memory_limit": "256Mi",
    "ephemeral_storage_request": "64Mi",
    "ephemeral_storage_limit": "1Gi",
    "ephemeral_storage_limit_enabled": True,
}

DEFAULTS: dict[str, Any] = {
    "allow_unpinned_image": False,
    "image_pull_policy": "Always",
    "container_name": Computed("the component name"),
    "env_from.optional": False,
    **{f"resources.{k}": v for k, v in _RESOURCES.items()},
    "init_containers.image_pull_policy": Computed("the main image_pull_policy"),
    "sidecars.image_pull_policy": Computed("the main image_pull_policy"),
    **{f"init_containers.resources.{k}": v for k, v in _RESOURCES.items()},
    **{f"sidecars.resources.{k}": v for k, v in _RESOURCES.items()},
    "init_containers.privileged": False,
    "sidecars.privileged": False,
    "init_containers.run_as_user": Computed("run_as_user"),
    "sidecars.run_as_user": Computed("run_as_user"),
    "init_containers.read_only_root_filesystem": True,
    "sidecars.read_only_root_filesystem": True,
    "init_containers.allow_privilege_escalation": False,
    "sidecars.allow_privilege_escalation": False,
    "init_containers.volume_mounts.read_only": False,
    "sidecars.volume_mounts.read_only": False,
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


class ResourcesArgs(TypedDict):
    """Container resource requests and limits (Kubernetes quantities)."""

    cpu_request: NotRequired[pulumi.Input[str]]
    """CPU request, e.g. "250m"."""
    cpu_limit: NotRequired[pulumi.Input[str]]
    """CPU limit, e.g. "1". Ignored when ``cpu_limit_enabled`` is false."""
    cpu_limit_enabled: NotRequired[pulumi.Input[bool]]
    """Set false to run without a CPU limit (no throttling)."""
    memory_request: NotRequired[pulumi.Input[str]]
    """Memory request, e.g. "256Mi"."""
    memory_limit: NotRequired[pulumi.Input[str]]
    """Memory limit (by default equal to the request, so no overcommit)."""
    ephemeral_storage_request: NotRequired[pulumi.Input[str]]
    """Ephemeral-storage request."""
    ephemeral_storage_limit: NotRequired[pulumi.Input[str]]
    """Ephemeral-storage limit. It also bounds the container's emptyDir volumes."""
    ephemeral_storage_limit_enabled: NotRequired[pulumi.Input[bool]]
    """Set false to run without an ephemeral-storage limit (e.g. a cache or database on an
    unbounded emptyDir); the request stays."""


class EnvFromArgs(TypedDict):
    """Every key of an existing ConfigMap or Secret as environment variables."""

    config_map_name: NotRequired[pulumi.Input[str]]
    """An existing ConfigMap (set this or ``secret_name``)."""
    secret_name: NotRequired[pulumi.Input[str]]
    """An existing Secret (set this or ``config_map_name``)."""
    prefix: NotRequired[pulumi.Input[str]]
    """Prefix added to every variable name, e.g. "DB_"."""
    optional: NotRequired[pulumi.Input[bool]]
    """Start the pod even when the ConfigMap or Secret does not exist."""


class VolumeMountArgs(TypedDict):
    """A volume of the pod mounted into an init container or sidecar."""

    name: pulumi.Input[str]
    """Volume name: "tmp", "config", "secrets" or one of ``volumes``."""
    mount_path: pulumi.Input[str]
    """Absolute path in the container."""
    read_only: NotRequired[pulumi.Input[bool]]
    """Mount read-only."""


class ContainerArgs(TypedDict):
    """An init container or a (native) sidecar.

    It gets the same hardened securityContext and default resources as the main
    container. The fields that weaken it (``privileged``, ``run_as_user`` 0,
    ``read_only_root_filesystem``, ``allow_privilege_escalation``, ``capabilities_add``)
    are there for the rare agent that needs them; the policy pack flags the result."""

    name: pulumi.Input[str]
    """Container name (DNS-1123 label), unique in the pod."""
    image: pulumi.Input[str]
    """Image pinned by tag or digest (``allow_unpinned_image`` applies here too)."""
    image_pull_policy: NotRequired[pulumi.Input[str]]
    """Always, IfNotPresent or Never."""
    command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Override the image's entrypoint."""
    args: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Arguments passed to the entrypoint."""
    working_dir: NotRequired[pulumi.Input[str]]
    """Working directory (an absolute path); unset: the image's."""
    env: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Plain environment variables: string values, checked like the main container's
    (service references are only available in the main container's ``env``)."""
    env_from: NotRequired[pulumi.Input[Sequence[pulumi.Input[EnvFromArgs]]]]
    """Existing ConfigMaps and Secrets as environment variables."""
    env_from_secret_keys: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Keys of the component's ``secrets`` this container also gets (as secretKeyRef)."""
    resources: NotRequired[pulumi.Input[ResourcesArgs]]
    """Requests and limits, defaulted like the main container's."""
    ports: NotRequired[pulumi.Input[Sequence[pulumi.Input[PortArgs]]]]
    """Ports of a sidecar (not allowed on init containers); exposed like ``ports``."""
    volume_mounts: NotRequired[pulumi.Input[Sequence[pulumi.Input[VolumeMountArgs]]]]
    """Pod volumes to mount; /tmp (the shared emptyDir) is always mounted."""
    probes: NotRequired[pulumi.Input[ProbesArgs]]
    """Probes of a sidecar (not allowed on init containers), on its own ``ports``; none
    unless set."""
    privileged: NotRequired[pulumi.Input[bool]]
    """Run privileged (weakens the default; flagged by the policy pack)."""
    run_as_user: NotRequired[pulumi.Input[int]]
    """UID to run as; 0 runs as root (weakens the default; flagged by the policy pack)."""
    read_only_root_filesystem: NotRequired[pulumi.Input[bool]]
    """Read-only root filesystem (false weakens the default; flagged)."""
    allow_privilege_escalation: NotRequired[pulumi.Input[bool]]
    """Allow setuid binaries to gain privileges (true weakens the default; flagged)."""
    capabilities_add: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Linux capabilities to add after dropping ALL, e.g. ["NET_ADMIN"] (anything but
    NET_BIND_SERVICE is flagged)."""


MAIN = "main"
INIT = "init"
SIDECAR = "sidecar"
KINDS = (MAIN, INIT, SIDECAR)

TMP_MOUNT = {"name": "tmp", "mountPath": "/tmp"}
"""Every container mounts the pod's small writable /tmp (its root filesystem is read-only)."""

KIND_DEFAULTS: dict[str, dict[str, str]] = {
    "fields": {
        MAIN: "flat on WebServiceArgs (container_name, container_args for name, args)",
        INIT: "init_containers[]",
        SIDECAR: "sidecars[]",
    },
    "resources": {
        MAIN: "the resources.* defaults",
        INIT: "the same defaults, per container (not shared with the main one)",
        SIDECAR: "the same defaults, per container (not shared with the main one)",
    },
    "image_pull_policy": {MAIN: "Always", INIT: "the main one's", SIDECAR: "the main one's"},
    "securityContext": {
        MAIN: "hardened, fixed",
        INIT: "hardened; may be weakened (flagged)",
        SIDECAR: "hardened; may be weakened (flagged)",
    },
    "env": {
        MAIN: "strings; service references (stack config, Application)",
        INIT: "strings only",
        SIDECAR: "strings only",
    },
    "secrets": {
        MAIN: "every key as secretKeyRef (or files)",
        INIT: "only env_from_secret_keys",
        SIDECAR: "only env_from_secret_keys",
    },
    "ports and probes": {
        MAIN: "the main port, metrics, ports; readiness, liveness and startup by default",
        INIT: "not allowed (runs to completion)",
        SIDECAR: "its own ports; probes only when set",
    },
    "mounts": {
        MAIN: "/tmp, config, secrets, volumes, persistence",
        INIT: "/tmp and volume_mounts",
        SIDECAR: "/tmp and volume_mounts",
    },
    "lifecycle": {MAIN: "preStop sleep (lifecycle)", INIT: "none", SIDECAR: "none"},
    "restartPolicy": {MAIN: "(the pod's)", INIT: "unset (runs once)", SIDECAR: "Always"},
}
"""What each kind of container gets by default, and what only some kinds may set."""

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
    ephemeral_storage_limit: pulumi.Input[str] | None

    def manifest(self) -> dict[str, Any]:
        limits: dict[str, Any] = {"memory": self.memory_limit}
        if self.ephemeral_storage_limit is not None:
            limits["ephemeral-storage"] = self.ephemeral_storage_limit
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


@dataclass(frozen=True)
class ContainerSpec:
    """One container of the pod, of any kind, validated and with defaults applied."""

    name: str
    image: pulumi.Input[str]
    image_pull_policy: pulumi.Input[str]
    kind: str
    resources: ResourcesSpec
    command: Sequence[pulumi.Input[str]] | None = None
    args: Sequence[pulumi.Input[str]] | None = None
    env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secret_env: Sequence[str] = ()
    """Keys of the service's Secret passed as ``secretKeyRef`` variables of the same name."""
    env_from: Sequence[Mapping[str, Any]] = ()
    ports: Sequence[PortSpec] = ()
    mounts: Sequence[Mapping[str, Any]] = ()
    """Mounts after /tmp."""
    security: Mapping[str, Any] = field(default_factory=lambda: dict(HARDENED_CONTEXT))
    probes: ProbesSpec | None = None
    lifecycle: Mapping[str, Any] = field(default_factory=dict)
    working_dir: pulumi.Input[str] | None = None

    @property
    def sidecar(self) -> bool:
        return self.kind == SIDECAR


def render_container(spec: ContainerSpec, secret_name: str) -> dict[str, Any]:
    """The container in the Kubernetes API's shape; ``secret_name`` is the service's Secret."""
    c: dict[str, Any] = {
        "name": spec.name,
        "image": spec.image,
        "imagePullPolicy": spec.image_pull_policy,
        "resources": spec.resources.manifest(),
        "securityContext": dict(spec.security),
        "volumeMounts": [dict(TMP_MOUNT), *spec.mounts],
    }
    if spec.sidecar:
        # A native sidecar: started before the main container, stopped after it.
        c["restartPolicy"] = "Always"
    if spec.probes is not None:
        c.update(spec.probes.manifest())
    if spec.ports:
        c["ports"] = [p.container_port() for p in spec.ports]
    if spec.lifecycle:
        c["lifecycle"] = dict(spec.lifecycle)
    variables: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(spec.env.items())]
    variables += [
        {"name": k, "valueFrom": {"secretKeyRef": {"name": secret_name, "key": k}}}
        for k in spec.secret_env
    ]
    if variables:
        c["env"] = variables
    if spec.env_from:
        c["envFrom"] = list(spec.env_from)
    if spec.command is not None:
        c["command"] = list(spec.command)
    if spec.args is not None:
        c["args"] = list(spec.args)
    if spec.working_dir is not None:
        c["workingDir"] = spec.working_dir
    return c


# -- readers shared by every kind ------------------------------------------------------


def read_env(s: Fields, kind: str, key: str = "env") -> dict[str, Any]:
    """Plain environment variables: valid names, string values (Outputs checked on resolve).

    Service references reach only the main container (the Application resolves them to
    URLs before the WebService sees them); anywhere else one is refused here, by name.
    """
    values = s.mapping(key)
    out: dict[str, Any] = {}
    for name, value in values.items():
        rule.env_name(s.component, s.field(f"{key}.{name}"), name)
        if kind != MAIN and isinstance(value, Mapping):
            raise s.fail(
                f"{key}.{name}",
                value,
                "must be a string; service references (service_url, service_host, "
                "service_address) are only available in the main container's env",
            )
        out[name] = checked(value, s.item_check(rule.text, f"{key}.{name}"))
    names = list(out)
    cross_checked(
        list(out.values()),
        lambda *resolved: rule.env_size(
            s.component, s.field(key), dict(zip(names, resolved, strict=True))
        ),
    )
    return out


def read_command(s: Fields, key: str) -> list[Any] | None:
    """``command`` or ``args``: None when unset, else a list of strings."""
    return s.strings(key) if s.present(key) else None


def read_resources(res: Fields) -> ResourcesSpec:
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
    if res.boolean("ephemeral_storage_limit_enabled", default("ephemeral_storage_limit_enabled")):
        storage_request, storage_limit = pair("ephemeral_storage")
    else:
        storage_request = res.value(
            "ephemeral_storage_request", default("ephemeral_storage_request"), rule.quantity_str
        )
        storage_limit = None
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


def read_image(s: Fields, allow_unpinned: bool) -> pulumi.Input[str]:
    """The image, pinned unless ``allow_unpinned_image``; an Output is checked on resolve."""
    if not s.present("image"):
        raise s.fail("image", None, "is required")
    field_name = s.field("image")
    c = s.component

    def pinned(value: object) -> str:
        try:
            return rule.image(c, value, allow_unpinned)
        except ValidationError as error:
            raise ValidationError(c, field_name, value, error.rule) from None

    image: pulumi.Input[str] = checked(s.raw("image"), pinned)
    return image


def read_pull_policy(s: Fields, default: pulumi.Input[str]) -> pulumi.Input[str]:
    policy: pulumi.Input[str] = s.value(
        "image_pull_policy", default, lambda c, f, v: rule.one_of(c, f, v, rule.PULL_POLICIES)
    )
    return policy


def read_mounts(s: Fields, volumes: Mapping[str, bool]) -> list[dict[str, Any]]:
    """``volume_mounts`` of an init container or sidecar: volumes of the pod, once each."""
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
        path = rule.mount_path(s.component, m.field("mount_path"), m.known("mount_path"))
        if rule.normal_path(path) in paths:
            raise m.fail("mount_path", path, "is already a mount path of this container")
        paths.add(rule.normal_path(path))
        mounts.append(
            {
                "name": name,
                "mountPath": path,
                "readOnly": m.boolean("read_only", DEFAULTS["sidecars.volume_mounts.read_only"]),
            }
        )
    return mounts


def read_security(s: Fields) -> dict[str, Any]:
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


def read_env_from(r: Fields, key: str = "env_from") -> list[dict[str, Any]]:
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


# -- the containers of one pod -----------------------------------------------------------


@dataclass(frozen=True)
class PodContext:
    """What the other facets give the containers: the pod's volumes, the Secret's keys,
    the main container's ports, probes, mounts and environment from config and secrets."""

    allow_unpinned: bool
    image_pull_policy: pulumi.Input[str]
    volumes: Mapping[str, bool]
    """Pod volume name -> exists (what ``volume_mounts`` may name)."""
    secret_keys: Sequence[str]
    main_ports: Sequence[PortSpec] = ()
    main_mounts: Sequence[Mapping[str, Any]] = ()
    main_env_from: Sequence[Mapping[str, Any]] = ()
    main_secret_env: Sequence[str] = ()


@dataclass(frozen=True)
class ContainersSpec:
    """The main container, the native sidecars and the init containers, and how the pod
    shuts down (the grace period and the main container's preStop delay)."""

    main: ContainerSpec
    sidecars: Sequence[ContainerSpec]
    init: Sequence[ContainerSpec]
    termination_grace_period_seconds: pulumi.Input[int]
    pre_stop_delay_seconds: pulumi.Input[int] | None
    """None when ``lifecycle.pre_stop_command`` replaces the built-in sleep."""

    @property
    def sidecar_ports(self) -> list[PortSpec]:
        return [p for s in self.sidecars for p in s.ports]


def read_image_settings(r: Fields) -> tuple[pulumi.Input[str], bool, pulumi.Input[str]]:
    """The main image, ``allow_unpinned_image`` and the pull policy (every container's
    default)."""
    allow_unpinned = r.boolean("allow_unpinned_image", DEFAULTS["allow_unpinned_image"])
    image = read_image(r, allow_unpinned)
    return image, allow_unpinned, read_pull_policy(r, DEFAULTS["image_pull_policy"])


def read_extra(r: Fields, pod: PodContext) -> tuple[list[ContainerSpec], list[ContainerSpec]]:
    """``sidecars`` and ``init_containers``."""
    return _read_list(r, "sidecars", SIDECAR, pod), _read_list(r, "init_containers", INIT, pod)


def _read_list(r: Fields, key: str, kind: str, pod: PodContext) -> list[ContainerSpec]:
    out = []
    for s in r.sections(key, ContainerArgs):
        if not s.present("name"):
            raise s.fail("name", None, "is required")
        name = rule.dns_label(r.component, s.field("name"), s.known("name"))
        image = read_image(s, pod.allow_unpinned)
        for only_sidecars in ("ports", "probes"):
            if kind == INIT and s.present(only_sidecars):
                raise s.fail(
                    only_sidecars,
                    "[...]",
                    f"only sidecars have {only_sidecars} (an init container runs to completion)",
                )
        ports = extra_ports(s, "ports", container=name) if kind == SIDECAR else []
        keys = s.texts("env_from_secret_keys")
        for i, k in enumerate(keys):
            if k not in pod.secret_keys:
                raise s.fail(f"env_from_secret_keys[{i}]", k, "is not a key of secrets")
        out.append(
            ContainerSpec(
                name=name,
                image=image,
                image_pull_policy=read_pull_policy(s, pod.image_pull_policy),
                kind=kind,
                resources=read_resources(s.nested_or_empty("resources", ResourcesArgs)),
                command=read_command(s, "command"),
                args=read_command(s, "args"),
                working_dir=s.optional("working_dir", rule.absolute_path),
                env=read_env(s, kind),
                secret_env=keys,
                env_from=read_env_from(s),
                ports=ports,
                mounts=read_mounts(s, pod.volumes),
                security=read_security(s),
                probes=read_probes(s, {p.name: p for p in ports}, None, "tcp")
                if s.present("probes")
                else None,
            )
        )
    return out


def read_main(
    r: Fields,
    name: str,
    image: pulumi.Input[str],
    pull_policy: pulumi.Input[str],
    env: Mapping[str, Any],
    probes: ProbesSpec,
    pod: PodContext,
) -> ContainerSpec:
    """The main container from the flat fields of ``WebServiceArgs``."""
    return ContainerSpec(
        name=name,
        image=image,
        image_pull_policy=pull_policy,
        kind=MAIN,
        resources=read_resources(r.nested_or_empty("resources", ResourcesArgs)),
        command=read_command(r, "command"),
        args=read_command(r, "container_args"),
        working_dir=r.optional("working_dir", rule.absolute_path),
        env=env,
        secret_env=pod.main_secret_env,
        env_from=[*pod.main_env_from, *read_env_from(r)],
        ports=pod.main_ports,
        mounts=pod.main_mounts,
        probes=probes,
    )


def read_container_name(r: Fields, name: str) -> str:
    container_name = r.text("container_name", name)
    rule.dns_label(r.component, "container_name", container_name)
    return container_name


def read(
    r: Fields,
    main: ContainerSpec,
    extra: tuple[Sequence[ContainerSpec], Sequence[ContainerSpec]],
    worker: bool,
) -> ContainersSpec:
    """The pod's containers, with names unique in the pod, and its shutdown timing."""
    sidecars, init = extra
    seen = {main.name}
    for c in [*sidecars, *init]:
        if c.name in seen:
            key = "sidecars" if c.sidecar else "init_containers"
            raise r.fail(
                f"{key}[{c.name}].name", c.name, "is already the name of another container"
            )
        seen.add(c.name)
    hooks, grace, pre_stop = shutdown(r, worker)
    main = replace(main, lifecycle=with_pre_stop_sleep(hooks, pre_stop))
    return ContainersSpec(main, sidecars, init, grace, pre_stop)


def render_all(
    spec: ContainersSpec, secret_name: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The main container, and the init containers: native sidecars first (so they serve
    the init containers too), then the init containers."""
    init = [render_container(c, secret_name) for c in (*spec.sidecars, *spec.init)]
    return render_container(spec.main, secret_name), init
