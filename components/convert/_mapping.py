"""Map the input objects to Moorage services: each Deployment with the Services, HPA, PDB,
NetworkPolicy, Ingress, ServiceAccount, ConfigMap and Secrets that belong to it.

Every object that is not mapped is listed with the reason (:class:`Unmapped`); every field
that the service cannot express is a :class:`~._containers.Gap`. Nothing is dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _containers as c
from ._input import KubeObject

STANDARD_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/managed-by",
)
POD_SECURITY_LABEL = "pod-security.kubernetes.io/enforce"
APP_PROTOCOLS = ("http", "https", "http2", "grpc", "tcp")

UNMAPPED_KINDS = {
    "StatefulSet": "Moorage runs Deployments only (stable identities and per-pod claims are not "
    "offered); keep applying it as it is",
    "DaemonSet": "Moorage runs Deployments only (one pod per node is not offered)",
    "Job": "Moorage runs long-lived services, not run-to-completion Jobs",
    "CronJob": "Moorage runs long-lived services, not scheduled Jobs",
    "CustomResourceDefinition": "CRDs are cluster add-ons, not services",
    "ReplicaSet": "a bare ReplicaSet: convert the Deployment that owns it",
    "Pod": "a bare Pod: Moorage runs Deployments",
    "Role": "RBAC is not part of a service (its token is not mounted)",
    "RoleBinding": "RBAC is not part of a service (its token is not mounted)",
    "ClusterRole": "RBAC is not part of a service (its token is not mounted)",
    "ClusterRoleBinding": "RBAC is not part of a service (its token is not mounted)",
    "PersistentVolumeClaim": "kept by name: a service mounts it with "
    "volumes[].persistent_volume_claim_name",
}


@dataclass(frozen=True)
class Unmapped:
    """An input object that is not converted, and why."""

    ref: str
    """``Kind namespace/name``."""
    reason: str


@dataclass
class ConvertedService:
    """One Deployment and what belongs to it, as WebServiceArgs (stack form)."""

    name: str
    namespace: str
    args: dict[str, Any]
    sources: dict[tuple[str, str], KubeObject] = field(default_factory=dict)
    """The input object each rendered object stands for, by (kind, rendered name)."""
    secret_uses: list[c.SecretUse] = field(default_factory=list)
    gaps: list[c.Gap] = field(default_factory=list)


@dataclass
class Converted:
    """Every service, the namespaces they share, and what was not mapped."""

    services: dict[str, ConvertedService]
    namespaces: dict[str, dict[str, Any]]
    namespace_sources: dict[str, KubeObject]
    unmapped: list[Unmapped]


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, Any]) -> bool:
    """A non-empty label selector that ``labels`` satisfy."""
    return bool(selector) and all(labels.get(k) == v for k, v in (selector or {}).items())


class _Index:
    def __init__(self, objects: list[KubeObject]) -> None:
        self.objects = objects
        self.used: set[int] = set()
        self.pod_text = {
            id(o): json.dumps(o.body.get("spec"), default=str)
            for o in objects
            if o.kind == "Deployment"
        }

    def of(self, kind: str, namespace: str | None = None) -> list[KubeObject]:
        return [
            o
            for o in self.objects
            if o.kind == kind and (namespace is None or o.namespace == namespace)
        ]

    def use(self, obj: KubeObject) -> None:
        self.used.add(id(obj))

    def data(self, kind: str, namespace: str) -> dict[str, dict[str, str]]:
        field_name = "data"
        out: dict[str, dict[str, str]] = {}
        for o in self.of(kind, namespace):
            values = dict(o.body.get(field_name) or {})
            values.update(o.body.get("stringData") or {})
            out[o.name] = {str(k): str(v) for k, v in values.items()}
        return out


def convert_objects(objects: list[KubeObject]) -> Converted:
    """The services of ``objects``, in input order."""
    index = _Index(objects)
    unmapped: list[Unmapped] = []
    services: dict[str, ConvertedService] = {}
    for deployment in index.of("Deployment"):
        pod = deployment.body.get("spec", {}).get("template", {}).get("spec", {}) or {}
        if pod.get("hostNetwork"):
            unmapped.append(
                Unmapped(deployment.ref, "uses hostNetwork, which Moorage's pod security refuses")
            )
            index.use(deployment)
            continue
        if deployment.name in services:
            unmapped.append(
                Unmapped(
                    deployment.ref,
                    f"a service named {deployment.name} is already converted from namespace "
                    f"{services[deployment.name].namespace}; convert each namespace on its own",
                )
            )
            index.use(deployment)
            continue
        services[deployment.name] = _Service(index, deployment).convert()
    namespaces, namespace_sources = _namespaces(index, services)
    referenced = json.dumps([s.args for s in services.values()])
    for obj in objects:
        if id(obj) in index.used:
            continue
        if obj.kind in ("ConfigMap", "Secret", "ServiceAccount") and f'"{obj.name}"' in referenced:
            reason = (
                "referenced by name (env_from, volumes or service_account_name): Moorage "
                "does not create it; keep applying it"
            )
            unmapped.append(Unmapped(obj.ref, reason))
        else:
            unmapped.append(Unmapped(obj.ref, _reason(obj)))
    return Converted(services, namespaces, namespace_sources, unmapped)


def _reason(obj: KubeObject) -> str:
    if obj.kind in UNMAPPED_KINDS:
        return UNMAPPED_KINDS[obj.kind]
    if obj.kind == "Service":
        return "selects pods of no converted Deployment"
    if obj.kind in ("ConfigMap", "Secret"):
        return "not used by a converted Deployment"
    if obj.kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"):
        return "targets no converted Deployment"
    if obj.kind == "Ingress":
        return "routes to no converted Service (or has several backends)"
    if obj.kind == "ServiceAccount":
        return "used by no converted Deployment (or kept by name: service_account_name)"
    return f"Moorage has no field for a {obj.kind}"


def _namespaces(
    index: _Index, services: Mapping[str, ConvertedService]
) -> tuple[dict[str, dict[str, Any]], dict[str, KubeObject]]:
    """``moorage:namespaces``: every namespace but ``default`` that a service runs in."""
    declared: dict[str, dict[str, Any]] = {}
    sources: dict[str, KubeObject] = {}
    given = {o.name: o for o in index.of("Namespace")}
    for service in services.values():
        ns = service.namespace
        if ns == "default" or ns in declared:
            continue
        entry: dict[str, Any] = {}
        obj = given.get(ns)
        if obj is not None:
            index.use(obj)
            sources[ns] = obj
            meta = obj.body.get("metadata") or {}
            labels = {
                k: v
                for k, v in (meta.get("labels") or {}).items()
                if not k.startswith("pod-security.kubernetes.io/")
                and k != "kubernetes.io/metadata.name"
            }
            if labels:
                entry["labels"] = labels
            if meta.get("annotations"):
                entry["annotations"] = dict(meta["annotations"])
            level = (meta.get("labels") or {}).get(POD_SECURITY_LABEL)
            if level:
                entry["pod_security"] = level
        declared[ns] = entry
    return declared, sources


class _Service:
    """The conversion of one Deployment."""

    def __init__(self, index: _Index, deployment: KubeObject) -> None:
        self.index = index
        self.deployment = deployment
        self.name = deployment.name
        self.ns = deployment.namespace
        spec = deployment.body.get("spec") or {}
        self.spec = spec
        self.template = spec.get("template") or {}
        self.pod: dict[str, Any] = self.template.get("spec") or {}
        self.pod_labels: dict[str, Any] = (self.template.get("metadata") or {}).get("labels") or {}
        self.out = ConvertedService(self.name, self.ns, {})
        self.args = self.out.args
        self.port_names: dict[Any, str] = {}

    def gap(self, where: str, reason: str) -> None:
        self.out.gaps.append(c.Gap(where, reason))

    def source(self, kind: str, name: str, obj: KubeObject) -> None:
        self.index.use(obj)
        self.out.sources[(kind, name)] = obj

    def convert(self) -> ConvertedService:
        self.source("Deployment", self.name, self.deployment)
        services = [
            s
            for s in self.index.of("Service", self.ns)
            if selects((s.body.get("spec") or {}).get("selector"), self.pod_labels)
        ]
        main_service = next((s for s in services if s.name == self.name), None) or (
            services[0] if services else None
        )
        containers = list(self.pod.get("containers") or [])
        main = self._main_container(containers, main_service)
        self._identity()
        self._workload(main)
        self._ports(main, main_service, [s for s in services if s is not main_service])
        self._config_and_env(main, containers)
        self._probes(main)
        self._volumes(main)
        self._extra_containers(main, containers)
        self._placement()
        self._autoscaling()
        self._disruption_budget()
        self._network_policy()
        self._ingress(services)
        self._service_account()
        return self.out

    # -- the pieces ---------------------------------------------------------------------

    def _main_container(
        self, containers: list[dict[str, Any]], service: KubeObject | None
    ) -> dict[str, Any]:
        if service is not None:
            ports = (service.body.get("spec") or {}).get("ports") or []
            target = ports[0].get("targetPort", ports[0].get("port")) if ports else None
            for container in containers:
                for port in container.get("ports") or []:
                    if target in (port.get("name"), port.get("containerPort")):
                        return container
        named = next((x for x in containers if x.get("name") == self.name), None)
        return named or containers[0]

    def _identity(self) -> None:
        args, meta = self.args, self.deployment.body.get("metadata") or {}
        args["namespace"] = self.ns
        if self.ns == "default":
            args["create_namespace"] = False
        labels = {k: v for k, v in (meta.get("labels") or {}).items() if k not in STANDARD_LABELS}
        if labels:
            args["labels"] = labels
        all_labels = {**(meta.get("labels") or {}), **self.pod_labels}
        if all_labels.get("app.kubernetes.io/version"):
            args["version"] = str(all_labels["app.kubernetes.io/version"])
        if all_labels.get("app.kubernetes.io/component"):
            args["component"] = str(all_labels["app.kubernetes.io/component"])
        if meta.get("annotations"):
            args["deployment_annotations"] = dict(meta["annotations"])
        pod_annotations = (self.template.get("metadata") or {}).get("annotations")
        if pod_annotations:
            args["pod_annotations"] = dict(pod_annotations)
        selector = self.spec.get("selector") or {}
        if selector.get("matchExpressions"):
            self.gap("spec.selector.matchExpressions", "is not expressible (matchLabels only)")
        match = dict(selector.get("matchLabels") or {})
        default = {"app.kubernetes.io/name": self.name, "app.kubernetes.io/instance": self.name}
        if match and match != default:
            args["selector_labels"] = match
        args["adopt"] = True

    def _workload(self, main: dict[str, Any]) -> None:
        args, pod = self.args, self.pod
        image = str(main.get("image", ""))
        args["image"] = image
        tail = image.rsplit("/", 1)[-1]
        if "@" not in image and (":" not in tail or tail.endswith(":latest")):
            args["allow_unpinned_image"] = True
        if main.get("name") != self.name:
            args["container_name"] = str(main.get("name"))
        mapped = c.MappedContainer()
        c.common("main", main, mapped)
        fields = mapped.fields
        for key, target in (
            ("command", "command"),
            ("args", "container_args"),
            ("working_dir", "working_dir"),
            ("image_pull_policy", "image_pull_policy"),
        ):
            if key in fields:
                args[target] = fields[key]
        resources = c.resources(main)
        if resources:
            args["resources"] = resources
        if "terminationGracePeriodSeconds" in pod:
            args["termination_grace_period_seconds"] = pod["terminationGracePeriodSeconds"]
        self._lifecycle(main)
        context = pod.get("securityContext") or {}
        for kube, flat in (("runAsUser", "run_as_user"), ("runAsGroup", "run_as_group")):
            value = (main.get("securityContext") or {}).get(kube, context.get(kube))
            if isinstance(value, int) and value >= 1:
                args[flat] = value
            elif value is not None:
                self.gap(f"securityContext.{kube}", f"{value} (root) is refused by Moorage")
        main_context = main.get("securityContext") or {}
        if main_context.get("privileged") or (main_context.get("capabilities") or {}).get("add"):
            self.gap("containers[main].securityContext", "privileges are not expressible")
        strategy = self.spec.get("strategy") or {}
        if strategy.get("type") == "Recreate":
            self.gap("spec.strategy", "Recreate is not expressible (Moorage rolls)")
        if not (self.index.of("HorizontalPodAutoscaler", self.ns) and self._hpa() is not None):
            args["replicas"] = int(self.spec.get("replicas", 1))

    def _lifecycle(self, main: dict[str, Any]) -> None:
        lifecycle = main.get("lifecycle") or {}
        out: dict[str, Any] = {}
        for hook, flat in (("preStop", "pre_stop_command"), ("postStart", "post_start_command")):
            handler = lifecycle.get(hook) or {}
            if "exec" in handler:
                out[flat] = [str(x) for x in handler["exec"].get("command") or []]
            elif hook == "preStop" and "sleep" in handler:
                self.args["pre_stop_delay_seconds"] = int(handler["sleep"].get("seconds", 0))
            elif handler:
                self.gap(f"containers[main].lifecycle.{hook}", "only exec and sleep are mapped")
        if out:
            self.args["lifecycle"] = out

    def _ports(
        self, main: dict[str, Any], service: KubeObject | None, extra: list[KubeObject]
    ) -> None:
        args = self.args
        declared = list(main.get("ports") or [])
        by_key: dict[Any, dict[str, Any]] = {}
        for port in declared:
            by_key[port.get("containerPort")] = port
            if port.get("name"):
                by_key[port["name"]] = port
        if service is None:
            args["worker"] = True
            ports = [self._port_entry(p, None) for p in declared]
            for entry in ports:
                entry["expose"] = False
            if ports:
                args["ports"] = ports
            return
        self.source("Service", self.name, service)
        sspec = service.body.get("spec") or {}
        service_ports = list(sspec.get("ports") or [])
        first = service_ports[0] if service_ports else {}
        main_port = by_key.get(first.get("targetPort", first.get("port")))
        if main_port is None:
            self.gap(f"Service {service.name}.ports[0].targetPort", "names no container port")
            main_port = {"containerPort": first.get("targetPort", first.get("port"))}
        args["port"] = int(main_port["containerPort"])
        args["service_port"] = int(first.get("port", args["port"]))
        if main_port.get("name"):
            args["port_name"] = str(main_port["name"])
        self.port_names[main_port.get("containerPort")] = str(
            main_port.get("name") or self._default_port_name(first)
        )
        if main_port.get("name"):
            self.port_names[main_port["name"]] = str(main_port["name"])
        protocol = first.get("appProtocol")
        if protocol in APP_PROTOCOLS:
            args["app_protocol"] = protocol
        elif self._grpc_probe(main) and not str(args.get("port_name", "")).startswith("grpc"):
            args["app_protocol"] = "grpc"
        args["service_type"] = str(sspec.get("type") or "ClusterIP")
        if sspec.get("loadBalancerSourceRanges"):
            args["load_balancer_source_ranges"] = list(sspec["loadBalancerSourceRanges"])
        annotations = (service.body.get("metadata") or {}).get("annotations")
        if annotations:
            args["service_annotations"] = dict(annotations)
        exposed = {sp.get("targetPort", sp.get("port")): sp for sp in service_ports[1:]}
        others = []
        for port in declared:
            if port is main_port:
                continue
            service_port = exposed.get(port.get("name")) or exposed.get(port.get("containerPort"))
            others.append(self._port_entry(port, service_port))
        if others:
            args["ports"] = others
        self._extra_services(extra)

    def _default_port_name(self, service_port: Mapping[str, Any]) -> str:
        return "grpc" if service_port.get("appProtocol") == "grpc" else "http"

    def _grpc_probe(self, main: Mapping[str, Any]) -> bool:
        return "grpc" in (main.get("readinessProbe") or {})

    def _port_entry(
        self, port: Mapping[str, Any], service_port: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        number = int(port["containerPort"])
        name = str(port.get("name") or f"port-{number}")
        self.port_names[number] = name
        self.port_names[name] = name
        entry: dict[str, Any] = {"name": name, "port": number}
        if port.get("protocol") and port["protocol"] != "TCP":
            entry["protocol"] = port["protocol"]
        if service_port is None:
            entry["expose"] = False
        else:
            if service_port.get("port") != number:
                entry["service_port"] = int(service_port["port"])
            if service_port.get("appProtocol") in APP_PROTOCOLS:
                entry["app_protocol"] = service_port["appProtocol"]
        return entry

    def _extra_services(self, extra: list[KubeObject]) -> None:
        entries = []
        for service in extra:
            suffix = service.name.removeprefix(f"{self.name}-")
            self.source("Service", f"{self.name}-{suffix}", service)
            sspec = service.body.get("spec") or {}
            entry: dict[str, Any] = {"name": suffix}
            if sspec.get("type") and sspec["type"] != "ClusterIP":
                entry["type"] = sspec["type"]
            names = [
                self.port_names.get(p.get("targetPort", p.get("port")))
                for p in sspec.get("ports") or []
            ]
            if None in names:
                self.gap(f"Service {service.name}.ports", "targets a port the pods do not declare")
            entry["ports"] = [n for n in names if n]
            annotations = (service.body.get("metadata") or {}).get("annotations")
            if annotations:
                entry["annotations"] = dict(annotations)
            if sspec.get("loadBalancerSourceRanges"):
                entry["load_balancer_source_ranges"] = list(sspec["loadBalancerSourceRanges"])
            entries.append(entry)
        if entries:
            self.args["extra_services"] = entries

    def _config_and_env(self, main: dict[str, Any], containers: list[dict[str, Any]]) -> None:
        config_maps = self.index.data("ConfigMap", self.ns)
        secrets = {
            name: {k: k for k in values}
            for name, values in self.index.data("Secret", self.ns).items()
        }
        main_config = self._main_config_map(main, config_maps)
        sources = c.EnvSources(config_maps, secrets, main_config)
        mapped = c.MappedContainer()
        c.env_fields("containers[main]", main, sources, mapped)
        self.out.gaps += mapped.gaps
        if "env" in mapped.fields:
            self.args["env"] = mapped.fields["env"]
        if "env_from" in mapped.fields:
            self.args["env_from"] = mapped.fields["env_from"]
        if main_config is not None:
            cm = next(o for o in self.index.of("ConfigMap", self.ns) if o.name == main_config)
            self.source("ConfigMap", f"{self.name}-config", cm)
            self.args["config"] = config_maps[main_config]
            if not mapped.fields.get("_config_as_env"):
                self.args["config_as_env"] = False
            if cm.body.get("binaryData"):
                self.gap(f"ConfigMap {cm.name}.binaryData", "is not expressible")
        self._record_secrets(mapped.secret_uses)
        self.sources = sources

    def _record_secrets(self, uses: list[c.SecretUse]) -> None:
        for use in uses:
            for secret in self.index.of("Secret", self.ns):
                if secret.name == use.secret:
                    self.index.use(secret)
            if any(u.variable == use.variable for u in self.out.secret_uses):
                continue
            self.out.secret_uses.append(use)

    def _main_config_map(
        self, main: Mapping[str, Any], config_maps: Mapping[str, Mapping[str, str]]
    ) -> str | None:
        """The ConfigMap that becomes ``config``: the first one of the input the main
        container reads whole (envFrom without prefix, or a volume without items)."""
        for item in main.get("envFrom") or []:
            name = (item.get("configMapRef") or {}).get("name")
            if name in config_maps and not item.get("prefix") and self._only_user(str(name)):
                return str(name)
        mounted = {m.get("name"): m for m in main.get("volumeMounts") or []}
        for volume in self.pod.get("volumes") or []:
            cm = volume.get("configMap") or {}
            name = cm.get("name")
            mount = mounted.get(volume.get("name"))
            if (
                name in config_maps
                and mount is not None
                and not cm.get("items")
                and not mount.get("subPath")
                and self._only_user(str(name))
            ):
                self.args["config_mount_path"] = str(mount["mountPath"])
                self.config_volume = str(volume.get("name"))
                return str(name)
        return None

    def _only_user(self, config_map: object) -> bool:
        """No other Deployment of the namespace reads the ConfigMap (else it is kept)."""
        for other in self.index.of("Deployment", self.ns):
            if other is self.deployment:
                continue
            if f'"{config_map}"' in self.index.pod_text[id(other)]:
                return False
        return True

    def _probes(self, main: Mapping[str, Any]) -> None:
        probes: dict[str, Any] = {}
        for kube, flat in c.PROBES.items():
            if kube in main:
                mapped = c.probe(
                    f"containers[main].{kube}", main[kube], self._port_name, self.out.gaps
                )
                if mapped is not None:
                    probes[flat] = mapped
        if probes:
            self.args["probes"] = probes

    def _port_name(self, port: Any) -> str | None:
        return self.port_names.get(port)

    def _volumes(self, main: Mapping[str, Any]) -> None:
        mounts = {m.get("name"): m for m in main.get("volumeMounts") or []}
        out = []
        self.renamed: dict[str, str] = {}
        self.skipped: set[str] = {getattr(self, "config_volume", "")}
        for volume in self.pod.get("volumes") or []:
            name = str(volume.get("name"))
            if name in self.skipped:
                continue
            mount = mounts.get(name)
            at_tmp = name == "tmp" or (mount is not None and mount.get("mountPath") == "/tmp")
            if at_tmp and "emptyDir" in volume:
                self.skipped.add(name)
                self.renamed[name] = "tmp"
                continue
            if mount is None:
                self.gap(f"volumes.{name}", "is not mounted by the main container")
                self.skipped.add(name)
                continue
            if mount.get("subPath"):
                self.gap(f"containers[main].volumeMounts.{name}.subPath", "is not expressible")
            target = f"{name}-volume" if name in c.RESERVED_VOLUMES else name
            self.renamed[name] = target
            entry: dict[str, Any] = {"name": target, "mount_path": str(mount["mountPath"])}
            if "emptyDir" in volume:
                limit = (volume["emptyDir"] or {}).get("sizeLimit")
                if limit:
                    entry["empty_dir_size_limit"] = str(limit)
                else:
                    entry["empty_dir"] = True
                if (volume["emptyDir"] or {}).get("medium"):
                    self.gap(f"volumes.{name}.emptyDir.medium", "is not expressible")
            elif "configMap" in volume:
                entry["config_map_name"] = str(volume["configMap"].get("name"))
            elif "secret" in volume:
                entry["secret_name"] = str(volume["secret"].get("secretName"))
            elif "persistentVolumeClaim" in volume:
                entry["persistent_volume_claim_name"] = str(
                    volume["persistentVolumeClaim"].get("claimName")
                )
            else:
                kind = next((k for k in volume if k != "name"), "?")
                self.gap(f"volumes.{name}", f"a {kind} volume is not expressible")
                self.skipped.add(name)
                continue
            for source in ("configMap", "secret"):
                if (volume.get(source) or {}).get("items"):
                    self.gap(f"volumes.{name}.{source}.items", "is not expressible")
            if "read_only" not in entry and mount.get("readOnly") is not None:
                entry["read_only"] = bool(mount["readOnly"])
            out.append(entry)
        if out:
            self.args["volumes"] = out

    def _extra_containers(self, main: dict[str, Any], containers: list[dict[str, Any]]) -> None:
        init, sidecars = [], []
        for container in self.pod.get("initContainers") or []:
            if container.get("restartPolicy") == "Always":
                sidecars.append(self._container(container, sidecar=True))
            else:
                init.append(self._container(container, sidecar=False))
        for container in containers:
            if container is not main:
                sidecars.append(self._container(container, sidecar=True))
        if init:
            self.args["init_containers"] = init
        if sidecars:
            self.args["sidecars"] = sidecars

    def _container(self, container: dict[str, Any], sidecar: bool) -> dict[str, Any]:
        where = f"containers[{container.get('name')}]"
        mapped = c.MappedContainer()
        c.common(where, container, mapped)
        c.env_fields(where, container, self.sources, mapped)
        fields: dict[str, Any] = {
            "name": str(container.get("name")),
            "image": container.get("image"),
        }
        fields.update({k: v for k, v in mapped.fields.items() if not k.startswith("_")})
        if mapped.secret_uses:
            self._record_secrets(mapped.secret_uses)
            fields["env_from_secret_keys"] = [u.variable for u in mapped.secret_uses]
        resources = c.resources(container)
        if resources:
            fields["resources"] = resources
        mounts = c.volume_mounts(container, self.renamed, self.skipped - {""} - {"tmp"})
        if mounts:
            fields["volume_mounts"] = [m for m in mounts if m["name"] != "tmp"]
            if not fields["volume_mounts"]:
                del fields["volume_mounts"]
        fields.update(c.security(where, container, mapped.gaps))
        if sidecar:
            ports = [self._port_entry(p, None) for p in container.get("ports") or []]
            if ports:
                fields["ports"] = ports
            probes = {}
            for kube, flat in c.PROBES.items():
                if kube in container:
                    probe = c.probe(
                        f"{where}.{kube}", container[kube], self._port_name, mapped.gaps
                    )
                    if probe is not None:
                        probes[flat] = probe
            if probes:
                fields["probes"] = probes
        self.out.gaps += mapped.gaps
        return fields

    def _placement(self) -> None:
        args, pod = self.args, self.pod
        if pod.get("nodeSelector"):
            args["node_selector"] = dict(pod["nodeSelector"])
        if pod.get("tolerations"):
            args["tolerations"] = [_toleration(t) for t in pod["tolerations"]]
        if pod.get("priorityClassName"):
            args["priority_class_name"] = pod["priorityClassName"]
        if pod.get("hostAliases"):
            args["host_aliases"] = [
                {"ip": a["ip"], "hostnames": list(a.get("hostnames") or [])}
                for a in pod["hostAliases"]
            ]
        if pod.get("imagePullSecrets"):
            args["image_pull_secrets"] = [s["name"] for s in pod["imagePullSecrets"]]
        affinity = _affinity(pod.get("affinity") or {}, self.out.gaps)
        if affinity:
            args["affinity"] = affinity

    def _hpa(self) -> KubeObject | None:
        for hpa in self.index.of("HorizontalPodAutoscaler", self.ns):
            target = (hpa.body.get("spec") or {}).get("scaleTargetRef") or {}
            if target.get("kind") == "Deployment" and target.get("name") == self.name:
                return hpa
        return None

    def _autoscaling(self) -> None:
        hpa = self._hpa()
        if hpa is None:
            return
        self.source("HorizontalPodAutoscaler", self.name, hpa)
        spec = hpa.body.get("spec") or {}
        out: dict[str, Any] = {
            "min_replicas": int(spec.get("minReplicas", 1)),
            "max_replicas": int(spec.get("maxReplicas", 1)),
        }
        for metric in spec.get("metrics") or []:
            resource = metric.get("resource") or {}
            target = resource.get("target") or {}
            if metric.get("type") == "Resource" and target.get("type") == "Utilization":
                out[f"target_{resource.get('name')}_utilization"] = int(
                    target["averageUtilization"]
                )
            else:
                self.gap(f"HorizontalPodAutoscaler {hpa.name}.metrics", "only utilization maps")
        if "targetCPUUtilizationPercentage" in spec:
            out["target_cpu_utilization"] = int(spec["targetCPUUtilizationPercentage"])
        self.args["autoscaling"] = out

    def _disruption_budget(self) -> None:
        for pdb in self.index.of("PodDisruptionBudget", self.ns):
            selector = ((pdb.body.get("spec") or {}).get("selector") or {}).get("matchLabels")
            if selects(selector, self.pod_labels):
                self.source("PodDisruptionBudget", self.name, pdb)
                return

    def _network_policy(self) -> None:
        for policy in self.index.of("NetworkPolicy", self.ns):
            spec = policy.body.get("spec") or {}
            selector = (spec.get("podSelector") or {}).get("matchLabels")
            if not selects(selector, self.pod_labels):
                continue
            self.source("NetworkPolicy", self.name, policy)
            out: dict[str, Any] = {}
            for rule in spec.get("ingress") or []:
                for peer in rule.get("from") or []:
                    _peer(peer, out, self.out.gaps)
            if spec.get("egress"):
                self.gap(f"NetworkPolicy {policy.name}.egress", "is not mapped")
            if out:
                self.args["network_policy"] = out
            return

    def _ingress(self, services: list[KubeObject]) -> None:
        names = {s.name for s in services}
        for ingress in self.index.of("Ingress", self.ns):
            spec = ingress.body.get("spec") or {}
            rules = spec.get("rules") or []
            paths = [
                (rule, path)
                for rule in rules
                for path in (rule.get("http") or {}).get("paths") or []
            ]
            if len(paths) != 1:
                continue
            rule, path = paths[0]
            backend = (path.get("backend") or {}).get("service") or {}
            if backend.get("name") not in names:
                continue
            self.source("Ingress", self.name, ingress)
            out: dict[str, Any] = {}
            if rule.get("host"):
                out["host"] = rule["host"]
            out["path"] = path.get("path") or "/"
            port = backend.get("port") or {}
            out["port"] = port.get("name") or self._service_port_name(port.get("number"))
            tls = spec.get("tls") or []
            if tls and tls[0].get("secretName"):
                out["tls_secret_name"] = tls[0]["secretName"]
            if spec.get("ingressClassName"):
                out["ingress_class_name"] = spec["ingressClassName"]
            annotations = (ingress.body.get("metadata") or {}).get("annotations")
            if annotations:
                out["annotations"] = dict(annotations)
            self.args["ingress"] = {k: v for k, v in out.items() if v is not None}
            return

    def _service_port_name(self, number: Any) -> str | None:
        if number == self.args.get("service_port"):
            return self.port_names.get(self.args.get("port"))
        for entry in self.args.get("ports") or []:
            if entry.get("service_port", entry["port"]) == number:
                return str(entry["name"])
        return None

    def _service_account(self) -> None:
        name = self.pod.get("serviceAccountName")
        if not name or name == "default":
            return
        account = next(
            (o for o in self.index.of("ServiceAccount", self.ns) if o.name == name), None
        )
        if name != self.name or account is None:
            self.args["service_account_name"] = name
            return
        self.source("ServiceAccount", self.name, account)
        annotations = (account.body.get("metadata") or {}).get("annotations")
        if annotations:
            self.args["service_account_annotations"] = dict(annotations)


def _toleration(t: Mapping[str, Any]) -> dict[str, Any]:
    keys = {"key": "key", "operator": "operator", "value": "value", "effect": "effect"}
    out = {flat: t[kube] for kube, flat in keys.items() if kube in t}
    if "tolerationSeconds" in t:
        out["toleration_seconds"] = t["tolerationSeconds"]
    return out


def _requirements(terms: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            k: v
            for k, v in (
                ("key", e["key"]),
                ("operator", e["operator"]),
                ("values", e.get("values")),
            )
            if v
        }
        for term in terms
        for e in term.get("matchExpressions") or []
    ]


def _affinity(affinity: Mapping[str, Any], gaps: list[c.Gap]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    node = affinity.get("nodeAffinity") or {}
    required = (node.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get(
        "nodeSelectorTerms"
    ) or []
    if len(required) > 1:
        gaps.append(
            c.Gap("affinity.nodeAffinity.required", "several OR-ed terms are not expressible")
        )
    if required:
        out["node_required"] = _requirements(required[:1])
    preferred = node.get("preferredDuringSchedulingIgnoredDuringExecution") or []
    if preferred:
        out["node_preferred"] = [
            {**r, "weight": p.get("weight", 1)}
            for p in preferred
            for r in _requirements([p.get("preference") or {}])
        ]
    anti = affinity.get("podAntiAffinity") or {}
    if anti.get("requiredDuringSchedulingIgnoredDuringExecution"):
        out["pod_anti_affinity"] = "required"
        key = anti["requiredDuringSchedulingIgnoredDuringExecution"][0].get("topologyKey")
    elif anti.get("preferredDuringSchedulingIgnoredDuringExecution"):
        out["pod_anti_affinity"] = "preferred"
        first = anti["preferredDuringSchedulingIgnoredDuringExecution"][0]
        key = (first.get("podAffinityTerm") or {}).get("topologyKey")
    else:
        key = None
    if key and key != "kubernetes.io/hostname":
        out["pod_anti_affinity_topology_key"] = key
    if affinity.get("podAffinity"):
        gaps.append(c.Gap("affinity.podAffinity", "is not expressible"))
    return out


def _peer(peer: Mapping[str, Any], out: dict[str, Any], gaps: list[c.Gap]) -> None:
    namespaces = (peer.get("namespaceSelector") or {}).get("matchLabels") or {}
    pods = (peer.get("podSelector") or {}).get("matchLabels") or {}
    if "ipBlock" in peer:
        out.setdefault("allow_cidrs", []).append(peer["ipBlock"]["cidr"])
    elif "kubernetes.io/metadata.name" in namespaces:
        out.setdefault("allow_from_namespaces", []).append(
            namespaces["kubernetes.io/metadata.name"]
        )
    elif pods and "namespaceSelector" not in peer:
        out.setdefault("allow_from_pod_labels", {}).update(pods)
    elif peer.get("podSelector") == {} and "namespaceSelector" not in peer:
        return
    else:
        gaps.append(c.Gap("NetworkPolicy.ingress.from", f"peer {dict(peer)} is not expressible"))
