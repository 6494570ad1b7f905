"""``--exact``: the opt-outs and ``patches`` that remove every removable difference.

First the opt-outs, which say it with fields (no NetworkPolicy or ServiceAccount the
input did not have, no limit it did not set, no probe it did not declare); then, for each
object that still differs, one RFC 6902 ``json_patch`` from what Moorage renders to the
input (the references to renamed objects and the Secret stay as rendered).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import jsonpatch

from ._containers import PROBES
from ._diff import undone
from ._fidelity import ServiceFidelity
from ._mapping import Converted
from ._rendering import RenderedService

LIMITS = {"cpu": "cpu_limit_enabled", "ephemeral-storage": "ephemeral_storage_limit_enabled"}


def with_opt_outs(
    config: Mapping[str, Any], converted: Converted, fidelity: list[ServiceFidelity]
) -> dict[str, Any]:
    """``config`` with the opt-outs the differences call for."""
    out, per_service = _editable(config, fidelity)
    for args, result in per_service:
        for change in result.objects:
            kind = change.ref.split(" ", 1)[0]
            if change.added and kind == "NetworkPolicy":
                args["network_policy"] = {**(args.get("network_policy") or {}), "enabled": False}
            if change.added and kind == "ServiceAccount":
                args["service_account_name"] = "default"
        _limits(args, converted, result.name)
    return out


def _editable(
    config: Mapping[str, Any], fidelity: list[ServiceFidelity]
) -> tuple[dict[str, Any], list[tuple[dict[str, Any], ServiceFidelity]]]:
    """A copy of ``config`` to edit, and each converted service's args in it with its
    fidelity result."""
    out = copy.deepcopy(dict(config))
    services = out["moorage:services"]
    return out, [(services[result.name], result) for result in fidelity if result.name]


def _limits(args: dict[str, Any], converted: Converted, name: str) -> None:
    deployment = converted.services[name].sources[("Deployment", name)]
    pod = deployment.body["spec"]["template"]["spec"]
    main_name = args.get("container_name", name)
    main = next((c for c in pod.get("containers") or [] if c.get("name") == main_name), None)
    if main is None:
        return
    limits = (main.get("resources") or {}).get("limits") or {}
    resources = dict(args.get("resources") or {})
    for resource, flag in LIMITS.items():
        if resource not in limits:
            resources[flag] = False
    args["resources"] = resources
    if args.get("worker"):
        return
    probes = dict(args.get("probes") or {})
    for kube, flat in PROBES.items():
        if kube not in main and flat not in probes:
            probes[flat] = {"kind": "none"}
    if probes:
        args["probes"] = probes


def with_patches(
    config: Mapping[str, Any],
    fidelity: list[ServiceFidelity],
    rendered: Mapping[str, RenderedService],
) -> dict[str, Any]:
    """``config`` with a json_patch per object that still differs in a removable way."""
    out, per_service = _editable(config, fidelity)
    for args, result in per_service:
        by_object: dict[tuple[str, str], list[Any]] = {}
        for difference in result.differences:
            if difference.removable:
                by_object.setdefault((difference.kind, difference.name), []).append(
                    difference.change
                )
        entries = []
        for (kind, name), undo in by_object.items():
            body = {
                k: v
                for k, v in rendered[result.name].objects[(kind, name)].items()
                if k not in ("apiVersion", "kind")
            }
            wanted = undone({"kind": kind, **body}, undo)
            wanted.pop("kind", None)
            ops = jsonpatch.make_patch(body, wanted).patch
            if ops:
                entries.append({"kind": kind, "name": name, "json_patch": ops})
        if entries:
            args["patches"] = [*(args.get("patches") or []), *entries]
    return out
