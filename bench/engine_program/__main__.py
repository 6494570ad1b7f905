"""Benchmark program for the real engine: N WebServices, or the same objects raw.

Config (project ``moorage-bench``): ``kubeconfig`` (secret) or ``renderDir`` (render
mode: the provider writes the manifests there, as the Moorage program does), ``variant``
(``component`` or ``raw``), ``count``, ``prefix`` (service name prefix), and for ``raw``,
``manifests``: a JSON file of the prepared objects (bench/programs.py), so the raw
program does no building or validation of its own.
"""

import json
import sys
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

sys.path.append(str(Path(__file__).resolve().parents[2]))  # after PYTHONPATH

from bench import programs

config = pulumi.Config()
variant = config.require("variant")
render_dir = config.get("renderDir")
target = (
    {"render_yaml_to_directory": render_dir}
    if render_dir
    else {"kubeconfig": config.require_secret("kubeconfig")}
)
provider = k8s.Provider(
    "cluster", enable_config_map_mutable=True, enable_secret_mutable=True, **target
)
manifests = config.get("manifests")
programs.declare(
    variant,
    config.require_int("count"),
    pulumi.ResourceOptions(providers=[provider]),
    prefix=config.get("prefix") or "svc",
    prepared=json.loads(Path(manifests).read_text()) if manifests else None,
)
