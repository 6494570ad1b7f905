"""Checks on the containers of a Deployment's pod template.

Each check takes the Deployment's properties (camelCase, as the engine sends them)
and returns :class:`~moorage_policy.props.Finding` objects. Init containers and native
sidecars (init containers with restartPolicy Always) are checked for resources,
security and images, but not for probes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from moorage_policy.props import UNKNOWN, Finding, dig, is_unknown, items, mapping

ALLOWED_ADDED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
"""The only capability the Pod Security "restricted" profile lets a container add."""


@dataclass(frozen=True)
class Container:
    """A container of a pod template, with where it came from (for messages)."""

    spec: dict[str, Any]
    init: bool

    @property
    def sidecar(self) -> bool:
        """A native sidecar: an init container that keeps running (restartPolicy Always)."""
        return self.init and self.spec.get("restartPolicy") == "Always"

    @property
    def label(self) -> str:
        name = self.spec.get("name")
        shown = name if isinstance(name, str) else "?"
        kind = "sidecar" if self.sidecar else "init container" if self.init else "container"
        return f'{kind} "{shown}"'


def is_deployment(resource_type: str) -> bool:
    """Any Kubernetes Deployment, whichever API version or program created it."""
    return resource_type.startswith("kubernetes:") and resource_type.endswith(":Deployment")


def pod_spec(props: Mapping[str, Any]) -> Any:
    """The Deployment's pod spec (``spec.template.spec``), or None/UNKNOWN."""
    return dig(props, "spec", "template", "spec")


def containers(props: Mapping[str, Any], *, include_init: bool = True) -> Iterator[Container]:
    """The containers (then init containers) of a Deployment's pod template."""
    spec = pod_spec(props)
    for c in items(dig(spec, "containers")):
        if isinstance(c, Mapping):
            yield Container(dict(c), init=False)
    if include_init:
        for c in items(dig(spec, "initContainers")):
            if isinstance(c, Mapping):
                yield Container(dict(c), init=True)


def check_resources(props: Mapping[str, Any], require_cpu_limit: bool = True) -> list[Finding]:
    """CPU and memory requests and a memory limit (and a CPU limit unless disabled)."""
    wanted = [("requests", "cpu"), ("requests", "memory"), ("limits", "memory")]
    if require_cpu_limit:
        wanted.append(("limits", "cpu"))
    findings = []
    for c in containers(props):
        resources = c.spec.get("resources")
        if is_unknown(resources):
            continue
        missing = [
            f"{kind}.{res}"
            for kind, res in wanted
            if dig(resources, kind, res) in (None, "")  # UNKNOWN counts as set
        ]
        if missing:
            findings.append(
                Finding(
                    f"{c.label} has no resources.{', resources.'.join(missing)}",
                    f"set them on {c.label} (e.g. requests cpu 100m / memory 128Mi, limits "
                    "memory 256Mi); WebService sets them by default (WebService: `resources`)",
                )
            )
    return findings


def check_probes(props: Mapping[str, Any]) -> list[Finding]:
    """A readiness and a liveness probe on every container, and not the same probe."""
    findings = []
    for c in containers(props, include_init=False):
        readiness, liveness = c.spec.get("readinessProbe"), c.spec.get("livenessProbe")
        ports = c.spec.get("ports")
        if readiness is None and liveness is None and not is_unknown(ports) and not items(ports):
            continue  # a worker that listens on nothing: there is nothing to probe
        missing = [
            name
            for name, probe in (("readinessProbe", readiness), ("livenessProbe", liveness))
            if probe is None
        ]
        if missing:
            findings.append(
                Finding(
                    f"{c.label} has no {' and no '.join(missing)}",
                    "add a readiness probe (is the pod ready for traffic?) and a liveness "
                    "probe (is the process stuck?); WebService adds both (WebService: `probes`)",
                )
            )
        elif not is_unknown(readiness) and readiness == liveness:
            findings.append(
                Finding(
                    f"{c.label} uses the same probe for readiness and liveness",
                    "make liveness cheaper and more tolerant than readiness (e.g. a TCP check "
                    "with a higher failureThreshold), so a slow dependency takes the pod out "
                    "of rotation instead of restarting it (WebService: `probes.liveness`)",
                )
            )
    return findings


def check_security(props: Mapping[str, Any]) -> list[Finding]:
    """Non-root, no privilege escalation, read-only root filesystem, capabilities dropped."""
    pod_context = mapping(dig(pod_spec(props), "securityContext"))
    findings = []
    for c in containers(props):
        context = c.spec.get("securityContext")
        if is_unknown(context):
            continue
        problems = _security_problems(mapping(context), pod_context)
        if problems:
            findings.append(
                Finding(
                    f"{c.label}: {'; '.join(problems)}",
                    "set securityContext runAsNonRoot: true (with a non-zero runAsUser), "
                    "allowPrivilegeEscalation: false, readOnlyRootFilesystem: true (mount an "
                    "emptyDir where the app writes), capabilities.drop: [ALL]; WebService "
                    "sets all of these (WebService: `run_as_user`, `volumes` for writable "
                    "paths)",
                )
            )
    return findings


def _security_problems(context: dict[str, Any], pod_context: dict[str, Any]) -> list[str]:
    problems = []
    if context.get("privileged") is True:
        problems.append("runs privileged")
    if context.get("allowPrivilegeEscalation") not in (False, UNKNOWN):
        problems.append("allowPrivilegeEscalation is not false")
    if context.get("readOnlyRootFilesystem") not in (True, UNKNOWN):
        problems.append("root filesystem is writable (readOnlyRootFilesystem is not true)")
    problems += _root_problems(context, pod_context)
    capabilities = context.get("capabilities")
    if not is_unknown(capabilities):
        drop = [str(x).upper() for x in items(dig(capabilities, "drop")) if not is_unknown(x)]
        if "ALL" not in drop and not is_unknown(dig(capabilities, "drop")):
            problems.append("capabilities.drop does not include ALL")
        added = {str(x).upper() for x in items(dig(capabilities, "add")) if not is_unknown(x)}
        extra = sorted(added - ALLOWED_ADDED_CAPABILITIES)
        if extra:
            problems.append(f"adds capabilities {', '.join(extra)}")
    return problems


def _root_problems(context: dict[str, Any], pod_context: dict[str, Any]) -> list[str]:
    """May the container run as UID 0? Container settings override the pod's."""
    non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
    user = context.get("runAsUser", pod_context.get("runAsUser"))
    if is_unknown(non_root) or is_unknown(user):
        return []
    if user == 0:
        return ["runs as root (runAsUser: 0)"]
    if non_root is True or (isinstance(user, int) and user > 0):
        return []
    return ["may run as root (neither runAsNonRoot: true nor a non-zero runAsUser)"]


def image_problem(image: Any) -> str | None:
    """Why an image reference is not pinned, or None when it is (tag or digest)."""
    if is_unknown(image):
        return None
    if not isinstance(image, str) or not image.strip():
        return "has no image"
    if "@" in image:
        return None  # pinned by digest (name@sha256:...)
    last = image.rsplit("/", 1)[-1]  # a registry port (host:5000/app) is not a tag
    if ":" not in last:
        return f'uses the untagged image "{image}" (pulls whatever :latest is)'
    if last.split(":", 1)[1].lower() == "latest":
        return f'uses the mutable tag "{image}"'
    return None


def check_images(props: Mapping[str, Any]) -> list[Finding]:
    """Every image pinned by a tag other than ``latest``, or by digest."""
    findings = []
    for c in containers(props):
        problem = image_problem(c.spec.get("image"))
        if problem:
            findings.append(
                Finding(
                    f"{c.label} {problem}",
                    'pin a release tag or a digest (e.g. "ghcr.io/acme/api:1.4.2" or '
                    '"...@sha256:..."), so a rollback or a new node runs the same code '
                    "(WebService: `image`)",
                )
            )
    return findings
