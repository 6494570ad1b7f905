"""Command lines and manifests for local clusters (kind and kwok), as pure functions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import LocalClusterError

RUNTIMES = ("auto", "kind", "kwok")

# Binaries kwokctl needs for `--runtime binary`, by its flag name.
KWOK_BINARY_FLAGS = {
    "--kube-apiserver-binary": "kube-apiserver",
    "--kube-controller-manager-binary": "kube-controller-manager",
    "--kube-scheduler-binary": "kube-scheduler",
    "--kwok-controller-binary": "kwok",
    "--etcd-binary": "etcd",
}

# Simulated nodes are big enough that a few dozen services always fit.
KWOK_NODE_CAPACITY = {"cpu": "32", "memory": "256Gi", "pods": "110", "ephemeral-storage": "1Ti"}

LOAD_BALANCER_PREFIX = "172.18.255."
"""kwok LoadBalancer Services get ``172.18.255.<last octet of their cluster IP>``.

A simulation: nothing answers on the address (kwok runs no data plane). The range
is the top of kind's default Docker network (172.18.0.0/16), the network a kind
cluster's LoadBalancer addresses come from; the cluster IPs of a kwokctl cluster come
from kube-apiserver's default 10.0.0.0/24, so the addresses are unique in a cluster."""

LOAD_BALANCER_STAGE_FILE = "moorage-load-balancer-stage.json"
"""The Stage file, kept in the kwokctl cluster's own directory (deleted with it)."""

CLOUD_PROVIDER_KIND = "cloud-provider-kind"


def docker_engine_available(env: Mapping[str, str] | None = None) -> bool:
    """True when a Docker engine answers (not just the client being installed)."""
    if shutil.which("docker", path=(env or os.environ).get("PATH")) is None:
        return False
    try:
        probe = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=15,
            env=dict(env) if env is not None else None,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def choose_runtime(requested: str, docker_available: bool, kind_installed: bool) -> str:
    """Resolve ``auto``: kind where Docker runs and kind is installed, else kwok."""
    if requested != "auto":
        return requested
    return "kind" if docker_available and kind_installed else "kwok"


def locate_binary(binary: str, bin_dir: str, search_path: str | None = None) -> str:
    """The absolute path kwokctl gets for ``binary``: in ``bin_dir`` when one is set, else
    the first on ``search_path`` (default: PATH).

    kwokctl resolves a bare name against its working directory (the Pulumi project), so a
    tool found on PATH is passed by its absolute path. A missing tool is one line naming it
    and where it was looked for.
    """
    if bin_dir:
        return os.path.join(bin_dir, binary)
    search_path = os.environ.get("PATH", "") if search_path is None else search_path
    found = shutil.which(binary, path=search_path)
    if found is None:
        raise tool_not_found(binary, search_path)
    return os.path.abspath(found)


def tool_not_found(binary: str, search_path: str) -> LocalClusterError:
    """The one-line error for a tool that is not on ``search_path``."""
    return LocalClusterError(
        f"{binary} not found on PATH ({search_path or 'empty'}) and no tools dir is set "
        "(LocalCluster tools_bin_dir or MOORAGE_TOOLS_BIN); put the tools' bin dir "
        "(scripts/bootstrap-tools --print-bin-dir) on PATH"
    )


def require_tools(runtime: str, bin_dir: str, search_path: str) -> None:
    """Raise the one-line error for the first tool ``up`` would need and not find.

    ``runtime`` is "kind" or "kwok" (resolved); ``search_path`` is the PATH the CLIs run
    with. kwok needs kwokctl and the control plane (:data:`KWOK_BINARY_FLAGS`, looked up as
    :func:`locate_binary` does), kind needs kind.
    """
    cli = "kwokctl" if runtime == "kwok" else "kind"
    if shutil.which(cli, path=search_path) is None:
        raise tool_not_found(cli, search_path)
    if runtime != "kwok":
        return
    for binary in KWOK_BINARY_FLAGS.values():
        path = locate_binary(binary, bin_dir, search_path)
        if not os.access(path, os.X_OK):
            raise LocalClusterError(
                f"{binary} not found in the tools dir {bin_dir} (LocalCluster tools_bin_dir "
                "or MOORAGE_TOOLS_BIN)"
            )


def kwok_create_command(
    name: str, bin_dir: str, stage_file: str, search_path: str | None = None
) -> list[str]:
    """``kwokctl create cluster`` that runs fully offline from local binaries
    (each from :func:`locate_binary`).

    ``--kubeconfig ""`` keeps kwokctl from editing the user's ~/.kube/config;
    the kubeconfig is read back with ``kwokctl get kubeconfig`` instead.

    ``stage_file`` (see :func:`load_balancer_stage`) reaches the kwok controller as a
    second ``--config``: the controller reads every ``--config`` it is given, so the
    Stage is added to kwokctl's default node and pod stages. (Passing it to kwokctl's
    own ``--config`` would replace those defaults.)
    """
    command = ["kwokctl", "create", "cluster", "--name", name, "--runtime", "binary"]
    for flag, binary in KWOK_BINARY_FLAGS.items():
        command += [flag, locate_binary(binary, bin_dir, search_path)]
    command += ["--extra-args", f"kwok-controller=config={stage_file}"]
    command += ["--kubeconfig", "", "--wait", "2m"]
    return command


def kwok_cluster_dir(name: str, env: Mapping[str, str]) -> str:
    """The directory kwokctl keeps a cluster in (``$KWOK_WORKDIR/clusters/<name>``).

    kwokctl removes it, with everything in it, when the cluster is deleted.
    """
    workdir = env.get("KWOK_WORKDIR") or os.path.join(os.path.expanduser("~"), ".kwok")
    return os.path.join(workdir, "clusters", name)


def load_balancer_stage() -> dict[str, Any]:
    """A kwok Stage that gives every LoadBalancer Service a simulated address.

    kwok's controller watches the kinds its Stages name; this one matches a
    LoadBalancer Service that has no ingress yet and patches its status
    subresource once, so pulumi-kubernetes' await sees an address and ``up``
    finishes. See :data:`LOAD_BALANCER_PREFIX` for the addresses.
    """
    address = f'printf "{LOAD_BALANCER_PREFIX}%s" (splitList "." .spec.clusterIP | last)'
    return {
        "apiVersion": "kwok.x-k8s.io/v1alpha1",
        "kind": "Stage",
        "metadata": {"name": "moorage-service-load-balancer"},
        "spec": {
            "resourceRef": {"apiGroup": "v1", "kind": "Service"},
            "selector": {
                "matchExpressions": [
                    {"key": ".metadata.deletionTimestamp", "operator": "DoesNotExist"},
                    {"key": ".spec.type", "operator": "In", "values": ["LoadBalancer"]},
                    {"key": ".status.loadBalancer.ingress", "operator": "DoesNotExist"},
                ]
            },
            "steps": [
                {
                    "patch": {
                        "root": "status",
                        "subresource": "status",
                        "template": (
                            f"loadBalancer:\n  ingress:\n  - ip: {{{{ {address} | Quote }}}}\n"
                        ),
                    }
                }
            ],
        },
    }


def kind_load_balancer_problem(provider_running: bool, provider_installed: bool) -> str | None:
    """Why a kind cluster cannot give a LoadBalancer Service an address, or None.

    On kind only cloud-provider-kind assigns addresses; without it pulumi-kubernetes
    waits ten minutes for one and fails, so the program refuses up front instead.
    """
    if provider_running:
        return None
    state = (
        "is installed but not running: start it (`cloud-provider-kind`, it needs root "
        "or Docker access) and keep it running"
        if provider_installed
        else "is not running: install it (`go install sigs.k8s.io/cloud-provider-kind@latest`) "
        "and start it (`cloud-provider-kind`)"
    )
    return (
        f"cannot get an address on a kind cluster: {CLOUD_PROVIDER_KIND}, which assigns "
        f"LoadBalancer addresses on kind, {state}; or use service_type ClusterIP or "
        'NodePort, or the "kwok" runtime (simulated addresses)'
    )


def cloud_provider_kind_running(env: Mapping[str, str] | None = None) -> bool:
    """True when a cloud-provider-kind process or container is running on this machine."""
    commands = (["ps", "-A", "-o", "args="], ["docker", "ps", "--format", "{{.Image}}"])
    for command in commands:
        try:
            listing = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=15,
                env=dict(env) if env is not None else None,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if listing.returncode == 0 and mentions_cloud_provider_kind(listing.stdout):
            return True
    return False


def mentions_cloud_provider_kind(listing: str) -> bool:
    """Whether a process list (``ps -o args``) or image list names cloud-provider-kind."""
    for line in listing.splitlines():
        words = line.split()
        if words and CLOUD_PROVIDER_KIND in words[0]:
            return True
    return False


def kind_config(nodes: int) -> str:
    """A kind cluster config with one control plane and ``nodes`` workers."""
    config: dict[str, Any] = {
        "kind": "Cluster",
        "apiVersion": "kind.x-k8s.io/v1alpha4",
        "nodes": [{"role": "control-plane"}] + [{"role": "worker"}] * nodes,
    }
    return json.dumps(config)


def zone_for(index: int, zones: Sequence[str]) -> str:
    return zones[index % len(zones)]


def kwok_node(name: str, index: int, zones: Sequence[str]) -> dict[str, Any]:
    """A simulated Node that kwok manages, labelled with a zone for topology spread."""
    node_name = f"{name}-node-{index}"
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node_name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "type": "kwok",
                "kubernetes.io/role": "agent",
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": node_name,
                "topology.kubernetes.io/zone": zone_for(index, zones),
                "topology.kubernetes.io/region": "local",
            },
        },
        "spec": {},
        "status": {
            "allocatable": dict(KWOK_NODE_CAPACITY),
            "capacity": dict(KWOK_NODE_CAPACITY),
        },
    }


def kind_zone_labels(node_names: Sequence[str], zones: Sequence[str]) -> dict[str, str]:
    """Zone label for each kind worker, round-robin."""
    return {node: zone_for(i, zones) for i, node in enumerate(sorted(node_names))}
