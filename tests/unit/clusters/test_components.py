"""What every cluster component shares: structure, Args shape, stack configs, defaults."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from moorage.clusters import NodeTaintArgs, eks, gke
from pulumi.provider.experimental.analyzer import Analyzer

ROOT = Path(__file__).resolve().parents[3]


def stack_cluster(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return config


@pytest.mark.parametrize(
    "component", [eks.EksCluster, gke.GkeCluster, eks.EksNetwork, gke.GkeNetwork]
)
def test_register_outputs_is_the_last_statement(component):
    tree = ast.parse(textwrap.dedent(inspect.getsource(component.__init__)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    last = body[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
    assert ast.unparse(last.value.func) == "self.register_outputs"


CLUSTER_MODULES = sorted(
    path for package in (eks, gke) for path in Path(package.__file__).parent.glob("*.py")
) + [ROOT / "components" / "clusters" / name for name in ("_nodes.py", "_shared.py")]


def _is_work(node: ast.AST) -> bool:
    """A call other than ``Computed("...")`` (a declared default) or ``re.compile``."""
    return isinstance(node, ast.Call) and ast.unparse(node.func) not in {
        "Computed",
        "re.compile",
        "TypeVar",
    }


@pytest.mark.parametrize("path", CLUSTER_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_modules_do_no_work_at_import_time(path):
    """Top level holds only imports, constants, functions and classes."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Expr):
            assert isinstance(node.value, ast.Constant), ast.unparse(node)  # docstring
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            value = node.value
            assert value is None or not any(_is_work(n) for n in ast.walk(value)), ast.unparse(node)
        else:
            assert isinstance(
                node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.If)
            ), ast.unparse(node)


ARGS_TYPES = [
    eks.EksClusterArgs,
    eks.EksNodeGroupArgs,
    eks.EksAddonArgs,
    gke.GkeClusterArgs,
    gke.GkeNodePoolArgs,
    gke.GkeNetworkArgs,
    gke.GkeMaintenanceWindowArgs,
    NodeTaintArgs,
]


@pytest.mark.parametrize("args_type", ARGS_TYPES)
def test_args_have_no_unions_and_a_docstring_per_field(args_type):
    """Pulumi's component analyzer (used to serve components to other languages) accepts
    the Args: it raises on unions, and reads each field's docstring as its description."""
    properties, mapping = Analyzer("moorage").analyze_type(args_type, is_component_output=False)
    assert set(mapping.values()) == set(args_type.__annotations__)
    for name, prop in properties.items():
        assert prop.description and prop.description.strip(), name


@pytest.mark.parametrize(
    ("component", "annotation"),
    [
        (eks.EksCluster, "eks.amazonaws.com/role-arn"),
        (gke.GkeCluster, "iam.gke.io/gcp-service-account"),
    ],
)
def test_each_cloud_annotates_service_accounts_for_its_workload_identity(component, annotation):
    # A class method: render mode asks for it without a cluster instance.
    assert component.identity_annotations("who") == {annotation: "who"}


def test_eks_staging_stack_is_valid_args():
    config = stack_cluster("eks-staging")
    assert config["moorage:cloud"] == "eks"
    assert set(config["pulumi:disable-default-providers"]) >= {"kubernetes", "aws"}
    spec = eks.validate_eks_args("cluster", config["moorage:cluster"])
    general, batch = spec.node_groups
    assert (general.min_size, general.max_size, general.instance_types) == (2, 4, ["t3.medium"])
    assert general.capacity_type == "ON_DEMAND" and general.taints == []
    assert (batch.architecture, batch.capacity_type, batch.min_size) == ("arm64", "SPOT", 0)
    assert [t.effect for t in batch.taints] == ["NoSchedule"]
    assert spec.compute == "managed" and spec.cluster_autoscaler is True
    assert spec.deletion_protection is False  # staging
    assert spec.nat_gateway_per_az is False
    assert spec.public_access_cidrs  # so Pulumi can reach the API from outside the VPC
    assert config["moorage:deleteUnreachable"] is False
    # Day one on managed node groups: node autoscaling, block storage, load balancing.
    assert {a.addon.key for a in spec.addons} == {
        "cluster_autoscaler",
        "load_balancer_controller",
        "cert_manager",
    }
    assert "aws-ebs-csi-driver" in {a.name for a in spec.managed_addons}


def test_gke_prod_stack_is_valid_args():
    config = stack_cluster("gke-prod")
    assert config["moorage:cloud"] == "gke"
    assert set(config["pulumi:disable-default-providers"]) >= {"kubernetes", "gcp"}
    spec = gke.validate_gke_args("cluster", config["moorage:cluster"])
    assert spec.zone is None  # regional
    assert spec.deletion_protection is True
    assert spec.release_channel == "REGULAR"
    general, spot = spec.node_pools
    assert (general.machine_type, general.min_nodes, general.max_nodes) == (
        "e2-standard-4",
        3,
        10,
    )
    assert spot.spot is True and [t.effect for t in spot.taints] == ["NoSchedule"]
    assert spec.autopilot is False
    assert spec.maintenance_window.days == ["SA", "SU"]  # weekends in production
    assert spec.managed_prometheus is True
    assert spec.secrets_encryption_key is None  # Moorage creates the key, with rotation
    assert {a.addon.key for a in spec.addons} == {"cert_manager", "gateway"}


@pytest.mark.parametrize("module", [eks, gke])
def test_every_args_field_has_a_default_or_is_required(module):
    """One DEFAULTS table per cluster Args: every optional field of the Args (and of its
    nested Args, by dotted path) has its default there, and nothing else does."""
    from typing import is_typeddict

    def paths(args_type: type, prefix: str = "") -> set[str]:
        found: set[str] = set()
        hints = args_type.__annotations__
        for key in args_type.__annotations__:
            if key not in args_type.__optional_keys__:
                continue
            found.add(prefix + key)
        for key, hint in hints.items():
            nested = [a for a in _type_args(hint) if is_typeddict(a)]
            for inner in nested:
                found |= paths(inner, f"{prefix}{key}.")
        return found

    cluster_args = module.EksClusterArgs if module is eks else module.GkeClusterArgs
    declared = set(module.DEFAULTS)
    # A nested Args that is itself optional and has no single default (maintenance_window)
    # may leave only its own fields in the table.
    assert paths(cluster_args) - declared <= {"maintenance_window"}
    assert declared <= paths(cluster_args)


def _type_args(hint: Any) -> list[Any]:
    from typing import get_args

    found = []
    for arg in get_args(hint):
        found.append(arg)
        found += _type_args(arg)
    return found
