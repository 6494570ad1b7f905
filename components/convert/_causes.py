"""Why a rendered object differs from the input: each difference gets one cause.

- ``Moorage hardening default``: a default that differs from Kubernetes' own on purpose
  (``KUBERNETES_DIFFERENCES``) or the restricted Pod Security profile;
- ``documented default``: a Moorage default or naming rule the reference documents
  (``moorage.webservice.DEFAULTS``);
- ``not expressible``: the input says something no field of the service can say.

The Args field behind a rendered path comes from :data:`FIELDS`; its default and the
reason are read from the facets' ``DEFAULTS`` and ``KUBERNETES_DIFFERENCES``, never
written here again.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

from .._defaults import Computed
from ..webservice import DEFAULTS
from ..webservice._kubernetes_differences import KUBERNETES_DIFFERENCES
from ._diff import MISSING, Change

HARDENING = "Moorage hardening default"
DOCUMENTED = "documented default"
NOT_EXPRESSIBLE = "not expressible"
POD_SECURITY = "the restricted Pod Security profile (docs/webservice.md, Defaults)"

C = r"(containers|initContainers)\[[^\]]+\]"
FIELDS: list[tuple[str, str]] = [
    (rf"{C}\.resources\.requests\.cpu", "resources.cpu_request"),
    (rf"{C}\.resources\.limits\.cpu", "resources.cpu_limit"),
    (rf"{C}\.resources\.requests\.memory", "resources.memory_request"),
    (rf"{C}\.resources\.limits\.memory", "resources.memory_limit"),
    (rf"{C}\.resources\.requests\.ephemeral-storage", "resources.ephemeral_storage_request"),
    (rf"{C}\.resources\.limits\.ephemeral-storage", "resources.ephemeral_storage_limit"),
    (rf"{C}\.resources(\.requests|\.limits)?$", "resources.cpu_request"),
    (rf"{C}\.readinessProbe", "probes.readiness.kind"),
    (rf"{C}\.livenessProbe", "probes.liveness.kind"),
    (rf"{C}\.startupProbe", "probes.startup.kind"),
    (rf"{C}\.imagePullPolicy", "image_pull_policy"),
    (r"spec\.serviceAccountName", "service_account_name"),
    (r"spec\.replicas$", "replicas"),
    (r"securityContext\.runAs(User|Group)", "run_as_user"),
    (r"spec\.terminationGracePeriodSeconds", "termination_grace_period_seconds"),
    (rf"{C}\.lifecycle", "pre_stop_delay_seconds"),
    (r"^spec\.(type|ports\[[^\]]+\]\.port)$", "service_port"),
    (r"^spec\.selector|matchLabels|labelSelector", "selector_labels"),
    (r"^spec\.minReplicas", "autoscaling.min_replicas"),
    (r"^spec\.maxReplicas", "autoscaling.max_replicas"),
]
HARDENED = re.compile(
    r"securityContext|automountServiceAccountToken|enableServiceLinks|"
    r"volumes\[tmp\]|volumeMounts\[/tmp\]|pod-security\.kubernetes\.io"
)
FIRST: list[tuple[str, str, str, str]] = [
    (
        r"^spec\.replicas$",
        "",
        DOCUMENTED,
        "the HPA owns the count: the Deployment sends no replicas",
    ),
    (
        r"annotations(\.pulumi\.com/patchForce)?$",
        "patchForce",
        DOCUMENTED,
        "adopt: server-side apply takes over",
    ),
    (
        r"annotations(\.checksum/\w+)?$",
        "checksum/",
        DOCUMENTED,
        "a checksum annotation rolls the pods on change",
    ),
    (
        r"(volumes|volumeMounts)$",
        '"tmp"',
        HARDENING,
        "a writable /tmp beside the read-only root filesystem",
    ),
]
"""(path, text the rendered value holds, kind, reason): causes that are not their field's."""
DOCUMENTED_RULES: list[tuple[str, str]] = [
    (r"metadata\.labels(\.app\.kubernetes\.io/.*)?$", "the standard app.kubernetes.io labels"),
    (r"^spec\.behavior", "HPA behaviour: scale up at once, down after a 5-minute window"),
    (r"^spec\.(maxUnavailable|minAvailable|unhealthyPodEvictionPolicy)", "PDB: maxUnavailable 1"),
    (r"annotations\.checksum/", "a checksum annotation rolls the pods when config changes"),
    (r"annotations\.pulumi\.com/patchForce", "adopt: server-side apply takes the fields over"),
    (r"topologySpreadConstraints", "spreading over zones and nodes"),
    (r"spec\.strategy|progressDeadlineSeconds|revisionHistoryLimit", "the rolling update"),
    (r"^metadata\.name$", "Moorage names its objects after the service"),
    (
        r"(volumes|volumeMounts)\[(config|secrets|tmp)\]",
        "tmp, config and secrets are Moorage's volume names",
    ),
    (r"secretKeyRef|secretRef", "secrets live in the service's Secret <name>-secrets"),
    (
        r"envFrom|configMapRef|configMap\.name|volumes\[config\]|volumeMounts\[[^\]]*\]\.name",
        "config lives in <name>-config",
    ),
    (r"restartPolicy|initContainers", "sidecars run as native sidecars (init containers)"),
    (r"targetPort|ports\[[^\]]+\]\.name|appProtocol", "Services target named ports"),
]


@dataclass(frozen=True)
class Cause:
    """The kind of a difference and the reason, in the user's terms."""

    kind: str
    reason: str


CONTAINER_NAME = re.compile(rf"{C}")


def field_for(path: str) -> str | None:
    """The WebServiceArgs field (a key of ``DEFAULTS``) behind a rendered path."""
    return _field_for(_general(path))


def _general(path: str) -> str:
    """``path`` with container names left out: every rule reads it the same way, so the
    rules' answers are cached across services (a conversion asks about the same paths
    once per service)."""
    return CONTAINER_NAME.sub(r"\1[*]", path) if "ontainers[" in path else path


@functools.lru_cache(maxsize=4096)
def _field_for(path: str) -> str | None:
    for pattern, field in FIELDS:
        if re.search(pattern, path):
            return field
    return None


@functools.lru_cache(maxsize=4096)
def _first_rules(path: str) -> tuple[tuple[str, str, str], ...]:
    """The :data:`FIRST` rules whose path pattern matches: (needle, kind, reason)."""
    return tuple(
        (needle, kind, reason)
        for pattern, needle, kind, reason in FIRST
        if re.search(pattern, path)
    )


@functools.lru_cache(maxsize=4096)
def _path_rule(path: str) -> Cause | None:
    """The hardening or documented rule that ``path`` alone decides, if any."""
    if HARDENED.search(path):
        return Cause(HARDENING, POD_SECURITY)
    for pattern, reason in DOCUMENTED_RULES:
        if re.search(pattern, path):
            return Cause(DOCUMENTED, reason)
    return None


def cause(object_kind: str, path: str, change: Change | None, given: set[str]) -> Cause:
    """Why the object of ``object_kind`` differs at ``path`` (``change``: the values; None
    for a whole object); ``given``: the fields the converted service sets itself."""
    general = _general(path)
    added = change is None or change.before is MISSING
    removed = change is not None and change.after is MISSING
    first = _first_rules(general)
    if first:
        shown = "" if change is None else json.dumps(change.after, default=str)
        for needle, kind, reason in first:
            if (needle and needle in shown) or (not needle and removed):
                return Cause(kind, reason)
    field = _field_for(general)
    if field is not None and (added or field not in given):
        if field in KUBERNETES_DIFFERENCES:
            difference = KUBERNETES_DIFFERENCES[field]
            return Cause(HARDENING, f"{field}: {difference.moorage} ({difference.reason})")
        if field in DEFAULTS:
            return Cause(DOCUMENTED, f"{field}: {_default_text(field)}")
    rule = _path_rule(general)
    if rule is not None:
        return rule
    if object_kind in ("NetworkPolicy", "ServiceAccount") and added:
        field = (
            "network_policy.enabled" if object_kind == "NetworkPolicy" else "service_account_name"
        )
        return Cause(HARDENING, f"{field}: {KUBERNETES_DIFFERENCES[field].moorage}")
    if added:
        return Cause(DOCUMENTED, "rendered by Moorage (docs/webservice.md)")
    return Cause(NOT_EXPRESSIBLE, "no field of the service says this")


def added_object_cause(kind: str) -> Cause:
    """Why Moorage adds an object the input does not have."""
    if kind == "NetworkPolicy":
        return cause(kind, "", None, set())
    if kind == "ServiceAccount":
        return cause(kind, "", None, set())
    if kind == "PodDisruptionBudget":
        return Cause(DOCUMENTED, "a PDB whenever the service can run 2 or more replicas")
    if kind == "Namespace":
        return Cause(DOCUMENTED, "a declared namespace is created, Pod Security enforced")
    return Cause(DOCUMENTED, f"the service's {kind}")


def _default_text(field: str) -> str:
    value = DEFAULTS[field]
    return value.meaning if isinstance(value, Computed) else repr(value)
