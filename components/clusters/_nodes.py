"""Pieces every node group (EKS) and node pool (GKE) shares: taints, labels, system pods.

Pure functions and one Args type; nothing here creates resources.
"""

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, TypeVar

import pulumi

from .. import _rules as rule
from .._fields import Fields

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover
    from typing_extensions import NotRequired

TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
"""Kubernetes spelling; the clouds' APIs spell them NO_SCHEDULE and so on."""
BLOCKING_EFFECTS = ("NoSchedule", "NoExecute")
"""Effects that keep pods without a matching toleration off a node."""
SYSTEM_PODS = "CoreDNS, metrics-server and the storage and autoscaler controllers"

TAINT_DEFAULTS: dict[str, Any] = {"value": "", "effect": "NoSchedule"}
"""Defaults of NodeTaintArgs (paths relative to one taint)."""


class NodeTaintArgs(TypedDict):
    """A Kubernetes taint put on every node of a group or pool. Only pods that tolerate it
    (WebService ``tolerations``) schedule there."""

    key: pulumi.Input[str]
    """Taint key, a label-style key such as "dedicated" or "example.com/gpu"."""
    value: NotRequired[pulumi.Input[str]]
    """Taint value, a label value (may be empty)."""
    effect: NotRequired[pulumi.Input[str]]
    """"NoSchedule", "PreferNoSchedule" or "NoExecute"."""


@dataclass(frozen=True)
class Taint:
    """A validated taint."""

    key: str
    value: str
    effect: str

    @property
    def cloud_effect(self) -> str:
        """The effect as EKS and GKE spell it: NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE."""
        return {
            "NoSchedule": "NO_SCHEDULE",
            "PreferNoSchedule": "PREFER_NO_SCHEDULE",
            "NoExecute": "NO_EXECUTE",
        }[self.effect]

    @property
    def blocks_system_pods(self) -> bool:
        return self.effect in BLOCKING_EFFECTS


def list_sections(fields: Fields, key: str) -> list[Fields]:
    """Each item of a list of Args mappings (``node_groups``), as a prefixed ``Fields``."""
    sections = []
    for i, item in enumerate(fields.items(key)):
        rule.known(fields.component, fields.field(f"{key}[{i}]"), item)
        sections.append(Fields(fields.component, item, f"{fields.field(key)}[{i}]."))
    return sections


def labels(fields: Fields, key: str, reserved: Sequence[str]) -> dict[str, str]:
    """Node labels: plain label keys and values, none in a reserved domain (kubernetes.io)."""
    values = fields.mapping(key)
    for label_key, value in values.items():
        path = fields.field(f"{key}.{label_key}")
        rule.known(fields.component, path, value)
        rule.qualified_name(fields.component, path, label_key)
        rule.version_label(fields.component, path, value)
        domain = label_key.rpartition("/")[0]
        for reserved_domain in reserved:
            if domain == reserved_domain or domain.endswith(f".{reserved_domain}"):
                raise fields.fail(
                    f"{key}.{label_key}", value, f"uses the reserved domain {reserved_domain}"
                )
    return {str(k): str(v) for k, v in values.items()}


def taints(fields: Fields, key: str) -> list[Taint]:
    """Node taints, each with a valid key, value and effect, no key/effect twice."""
    found: list[Taint] = []
    for section in list_sections(fields, key):
        section.reject_unknown(NodeTaintArgs.__annotations__, "NodeTaintArgs")
        taint_key = rule.qualified_name(
            section.component, section.field("key"), section.required_text("key")
        )
        value = section.text("value", TAINT_DEFAULTS["value"])
        if value:
            rule.version_label(section.component, section.field("value"), value)
        effect = section.text("effect", TAINT_DEFAULTS["effect"])
        if effect not in TAINT_EFFECTS:
            raise section.fail("effect", effect, f"must be one of {', '.join(TAINT_EFFECTS)}")
        taint = Taint(taint_key, value, effect)
        if any((t.key, t.effect) == (taint.key, taint.effect) for t in found):
            raise section.fail("key", taint_key, f"is tainted {effect} more than once")
        found.append(taint)
    return found


def check_system_pods_fit(
    fields: Fields, key: str, groups: Mapping[str, Sequence[Taint]], what: str
) -> None:
    """Refuse node groups that all carry a blocking taint: cluster system pods (CoreDNS,
    metrics-server, ...) tolerate none of them and would stay Pending."""
    if groups and all(any(t.blocks_system_pods for t in ts) for ts in groups.values()):
        raise fields.fail(
            key,
            sorted(groups),
            f"taints every {what} NoSchedule or NoExecute, so {SYSTEM_PODS} (which tolerate "
            f"no such taint) cannot schedule; leave at least one {what} untainted",
        )


def unique_names(fields: Fields, key: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise fields.fail(
                f"{key}[{i}].name", name, "is used by another entry; names are unique"
            )
        seen.add(name)


class _Pool(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def taints(self) -> Sequence[Taint]: ...


PoolSpec = TypeVar("PoolSpec", bound=_Pool)


def read_pools(
    fields: Fields,
    key: str,
    defaults: Sequence[Mapping[str, Any]],
    what: str,
    read_one: Callable[[Fields], PoolSpec],
) -> list[PoolSpec]:
    """A cloud's node groups/pools: the list given (at least one) or the defaults, each
    read by ``read_one``, with unique names and room left for the cluster's system pods."""
    if fields.present(key):
        sections = list_sections(fields, key)
        if not sections:
            raise fields.fail(key, [], f"must list at least one {what}")
    else:
        sections = [
            Fields(fields.component, pool, f"{key}[{i}].") for i, pool in enumerate(defaults)
        ]
    pools = [read_one(section) for section in sections]
    unique_names(fields, key, [p.name for p in pools])
    check_system_pods_fit(fields, key, {p.name: p.taints for p in pools}, what)
    return pools
