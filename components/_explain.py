"""See what you get: a service's effective settings, where each value comes from, and the
objects it creates.

``explain(name, args)`` is the function for programs; ``explain_stack(config)`` runs it on
every service of a stack file (``scripts/explain``, ``make explain STACK=... [SERVICE=...]``)
and ``differing_defaults`` sums up, once per stack, the Moorage defaults in effect that are
not Kubernetes' own (``make preview`` prints them). Each setting's origin is one of:

- ``yours``: set in the args (the stack file, for a stack);
- ``stack default``: filled in by the stack layer from another key of the stack file;
- ``cloud default``: filled in for the stack's cloud (e.g. ``service_type`` LoadBalancer on
  EKS and GKE);
- ``Moorage default``: the WebService default (the reference lists them, and those that
  differ from Kubernetes' own with the reason).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._defaults import Computed
from ._stack_config import DEFAULT_SERVICE_TYPE, parse_stack_settings
from ._stack_secrets import masked
from .webservice import DEFAULTS, build_spec
from .webservice._kubernetes_differences import KUBERNETES_DIFFERENCES, Difference
from .webservice._spec import ServiceSpec

YOURS, STACK_DEFAULT, CLOUD_DEFAULT, MOORAGE_DEFAULT = (
    "yours",
    "stack default",
    "cloud default",
    "Moorage default",
)


@dataclass(frozen=True)
class Setting:
    """One effective setting of a service."""

    path: str
    """Dotted field path, e.g. "probes.readiness.timeout_seconds"."""
    value: str
    """The value, as text ("[secret]" for secret values)."""
    origin: str
    """yours, stack default, cloud default or Moorage default."""
    differs_from_kubernetes: bool = False
    """A Moorage default that is not what Kubernetes does (the reference says why)."""


@dataclass(frozen=True)
class Explanation:
    """A service's settings and the objects it creates."""

    name: str
    settings: list[Setting]
    objects: list[str]

    def text(self) -> str:
        """The explanation as a plain-text table, one setting per line."""
        width = max((len(s.path) for s in self.settings), default=10)
        lines = [f"service {self.name}", ""]
        for s in self.settings:
            mark = "  (differs from Kubernetes)" if s.differs_from_kubernetes else ""
            lines.append(f"  {s.path:<{width}}  {s.value}  [{s.origin}]{mark}")
        lines += ["", "  creates:"] + [f"    {o}" for o in self.objects]
        return "\n".join(lines)


def explain(
    name: str,
    args: Mapping[str, Any],
    filled_in: Mapping[str, str] | None = None,
) -> Explanation:
    """The effective settings of WebService ``name`` built from ``args``.

    ``filled_in`` maps a dotted path the caller added to ``args`` to its origin
    (``stack default`` or ``cloud default``); every other path in ``args`` is yours."""
    spec = build_spec(name, args)  # type: ignore[arg-type]
    given = dict(_paths(args))
    origins = dict(filled_in or {})
    settings = [
        Setting(path, _text(path, value), origins.get(path, YOURS))
        for path, value in sorted(given.items())
    ]
    for path, default in DEFAULTS.items():
        if path in given or any(g.startswith(f"{path}.") for g in given):
            continue
        if not _applies(path, given):
            continue
        text = default.meaning if isinstance(default, Computed) else _text(path, default)
        settings.append(Setting(path, text, MOORAGE_DEFAULT, path in KUBERNETES_DIFFERENCES))
    settings.sort(key=lambda s: s.path)
    return Explanation(name, settings, objects(spec))


def explain_stack(config: Mapping[str, Any]) -> list[Explanation]:
    """Every service of a stack file's ``config`` mapping (as YAML loads it), explained.

    Raises ``ValidationError`` for a bad stack config. Secure values are never decrypted:
    they show as ``[secret]``."""
    shown = {k: masked(v) for k, v in config.items() if k.startswith("moorage:")}
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in shown.items()}
    settings = parse_stack_settings(raw)
    declared = config.get("moorage:services") or {
        settings.shorthand: config.get("moorage:service") or {}
    }
    explained = []
    for name, args in settings.application.services.items():
        if args.get("env") == {}:  # only references, which the stack layer took out
            args = {k: v for k, v in args.items() if k != "env"}
        filled = {}
        if (
            "service_type" not in (declared.get(name) or {})
            and args.get("service_type") == DEFAULT_SERVICE_TYPE[settings.cloud]
        ):
            filled["service_type"] = CLOUD_DEFAULT
        explained.append(explain(name, args, filled))
    return explained


@dataclass(frozen=True)
class DifferingDefault:
    """A Moorage default, not Kubernetes' own, in effect for some services of a stack."""

    path: str
    """Dotted field path, e.g. "replicas"."""
    difference: Difference
    """What Kubernetes does, what Moorage does, and why."""
    services: tuple[str, ...]
    """The services that get this default (they do not set the field)."""


def differing_defaults(explained: Iterable[Explanation]) -> list[DifferingDefault]:
    """The Moorage defaults that differ from Kubernetes', each once with its services."""
    users: dict[str, list[str]] = {}
    for explanation in explained:
        for setting in explanation.settings:
            if setting.differs_from_kubernetes:
                users.setdefault(setting.path, []).append(explanation.name)
    return [
        DifferingDefault(path, KUBERNETES_DIFFERENCES[path], tuple(names))
        for path, names in sorted(users.items())
    ]


def _applies(path: str, given: Mapping[str, Any]) -> bool:
    """A default of a section (``autoscaling.*``) or list item (``ports.*``) applies only
    when that section is given; top-level and ``probes``/``resources`` defaults always do."""
    head = path.split(".", 1)[0]
    if "." not in path or head in ("probes", "resources"):
        return True
    return any(g == head or g.startswith(f"{head}.") for g in given)


def _paths(args: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Every dotted path the args set; list items of mappings contribute their keys."""
    out: list[tuple[str, Any]] = []
    for key, value in args.items():
        path = f"{prefix}{key}"
        if key in ("config", "env", "labels", "annotations") or "annotations" in key:
            out.append((path, value))
        elif isinstance(value, Mapping) and value and key != "secrets":
            out += _paths(value, f"{path}.")
        else:
            out.append((path, value))
    return out


def _text(path: str, value: Any) -> str:
    if path == "secrets" or path.startswith("secrets."):
        return "[secret]"
    if isinstance(value, Mapping) and path.split(".")[-1] == "secrets":
        return "[secret]"
    return repr(value) if isinstance(value, str) else str(value)


def objects(spec: ServiceSpec) -> list[str]:
    """The Kubernetes objects the WebService creates, as "Kind namespace/name"."""
    ns = spec.identity.namespace
    name = spec.name
    found: list[str] = []
    if spec.identity.create_namespace:
        found.append(f"Namespace {ns}")
    if spec.identity.service_account_name is None:
        found.append(f"ServiceAccount {ns}/{name}")
    if spec.config.config:
        found.append(f"ConfigMap {ns}/{spec.config.config_map_name}")
    if spec.config.secrets:
        found.append(f"Secret {ns}/{spec.config.secret_name}")
    if spec.persistence is not None:
        found.append(f"PersistentVolumeClaim {ns}/{spec.persistence.claim_name}")
    strategy = spec.release.strategy
    if strategy == "rolling":
        found.append(f"Deployment {ns}/{name}")
    else:
        found.append(f"Deployments {ns}/{name}-* ({strategy.replace('_', '/')})")
    if spec.services.has_service:
        found.append(f"Service {ns}/{name}")
    found += [f"Service {ns}/{name}-{extra.suffix}" for extra in spec.services.extra]
    if spec.autoscaling is not None:
        found.append(f"HorizontalPodAutoscaler {ns}/{name}")
    from .webservice._workload import can_run_two_or_more

    if can_run_two_or_more(spec.workload):
        found.append(f"PodDisruptionBudget {ns}/{name}")
    if spec.network_policy is not None:
        found.append(f"NetworkPolicy {ns}/{name}")
    if spec.exposure is not None:
        found.append(f"Ingress {ns}/{name}")
    if spec.monitoring is not None and spec.metrics is not None:
        found.append(f"ServiceMonitor/PodMonitor and PrometheusRule {ns}/{name}")
    return found
