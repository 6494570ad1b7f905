"""Command lines and manifests for local clusters (kind and kwok), as pure functions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

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


def kwok_create_command(name: str, bin_dir: str) -> list[str]:
    """``kwokctl create cluster`` that runs fully offline from local binaries.

    ``--kubeconfig ""`` keeps kwokctl from editing the user's ~/.kube/config;
    the kubeconfig is read back with ``kwokctl get kubeconfig`` instead.
    """
    command = ["kwokctl", "create", "cluster", "--name", name, "--runtime", "binary"]
    for flag, binary in KWOK_BINARY_FLAGS.items():
        command += [flag, os.path.join(bin_dir, binary)]
    command += ["--kubeconfig", "", "--wait", "2m"]
    return command


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
