"""Pure cluster validation helpers, plus structural checks of the cluster components.

Everything here runs as plain functions; mocks are used only to make Outputs.
"""

from __future__ import annotations

import ast
import inspect
import ipaddress
import re
import textwrap
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from moorage._errors import ValidationError
from moorage.clusters import eks, gke
from moorage.clusters.cluster_validation import (
    DEFAULT_KUBERNETES_VERSION,
    SUPPORTED_KUBERNETES_VERSIONS,
    Fields,
    check_allow_list,
    check_kubernetes_version,
    check_no_overlap,
    check_node_bounds,
    check_private_cidr,
    component_label,
    parse_cidr,
)
from moorage.clusters.nodes import NodeTaintArgs
from pulumi.provider.experimental.analyzer import Analyzer

ROOT = Path(__file__).resolve().parents[2]
LABEL = component_label("EksCluster", "staging")


def fields(args: dict[str, Any] | None = None, prefix: str = "") -> Fields:
    return Fields(LABEL, args or {}, prefix)


def raises(field: str, rule_part: str) -> Any:
    """pytest.raises for a ValidationError on ``field`` whose rule mentions ``rule_part``."""
    return pytest.raises(
        ValidationError,
        match=rf"^EksCluster \"staging\": {re.escape(field)} \(.*{re.escape(rule_part)}",
    )


# --- Fields: typed reads from stack config -------------------------------------------


def test_label_names_the_component():
    assert LABEL == 'EksCluster "staging"'


@pytest.mark.parametrize("value", [None, ""])
def test_required_text_rejects_missing_values(value):
    with raises("region", "is required"):
        fields({"region": value}).required_text("region")


def test_typed_reads_reject_wrong_types_from_config():
    with raises("min_size", "must be an integer, not str"):
        fields({"min_size": "2"}).integer("min_size", 1)
    with raises("min_size", "must be an integer, not bool"):
        fields({"min_size": True}).integer("min_size", 1)
    with raises("spot", "must be true or false, not str"):
        fields({"spot": "true"}).boolean("spot", False)
    with raises("cidrs", "must be a plain list"):
        fields({"cidrs": "10.0.0.0/8"}).texts("cidrs")
    with raises("cidrs[1]", "non-empty string"):
        fields({"cidrs": ["10.0.0.0/8", 7]}).texts("cidrs")
    with raises("region", "must be a string"):
        fields({"region": 1}).text("region", "x")


def test_typed_reads_fill_defaults():
    f = fields({})
    assert f.integer("min_size", 2) == 2
    assert f.boolean("spot", False) is False
    assert f.texts("cidrs") == []
    assert f.text("version", "1.34") == "1.34"
    assert f.optional_text("zone") is None
    assert f.mapping("tags") == {}


def test_sections_prefix_their_field_names():
    nodes = fields({"node_group": {"min_size": "x"}}).section("node_group")
    with raises("node_group.min_size", "integer"):
        nodes.integer("min_size", 1)


def test_a_section_must_be_a_mapping():
    with raises("node_group", "must be a mapping"):
        fields({"node_group": ["min_size"]}).section("node_group")


def test_unknown_fields_are_reported_with_the_known_ones():
    with raises("regoin", 'is not a known field; did you mean "region"?'):
        fields({"regoin": "us-west-2"}).reject_unknown({"region", "cluster_name"})


TYPED_READS = [
    pytest.param(lambda f: f.required_text("value"), id="required_text"),
    pytest.param(lambda f: f.text("value", "x"), id="text"),
    pytest.param(lambda f: f.optional_text("value"), id="optional_text"),
    pytest.param(lambda f: f.integer("value", 1), id="integer"),
    pytest.param(lambda f: f.boolean("value", False), id="boolean"),
    pytest.param(lambda f: f.items("value"), id="items"),
    pytest.param(lambda f: f.texts("value"), id="texts"),
    pytest.param(lambda f: f.mapping("value"), id="mapping"),
    pytest.param(lambda f: f.section("value"), id="section"),
]


@pytest.mark.parametrize("read", TYPED_READS)
def test_typed_reads_need_a_value_known_when_the_program_runs(mocks, read):
    def program() -> None:
        section = fields({"value": pulumi.Output.from_input("x")}, "node_group.")
        with raises("node_group.value", "must be known when the program runs") as raised:
            read(section)
        assert raised.value.value == "<output>"

    mocks.run(program)


def test_raw_values_list_items_and_mapping_values_may_be_outputs(mocks):
    def program() -> None:
        arn = pulumi.Output.from_input("arn:aws:iam::123456789012:role/deploy")
        f = fields({"arn": arn, "arns": [arn], "versions": {"coredns": arn}})
        assert f.present("arn") and f.raw("arn") is arn
        assert f.items("arns") == [arn]
        assert f.mapping("versions") == {"coredns": arn}
        with raises("arns[0]", "must be known when the program runs"):
            f.texts("arns")  # a list of plain strings, such as CIDRs

    mocks.run(program)


# --- CIDRs ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["10.0.0.0/16", "203.0.113.0/24", "0.0.0.0/0", "192.0.2.1/32"])
def test_parse_cidr_accepts_ipv4_networks(value):
    assert parse_cidr(fields(), "cidr", value) == ipaddress.IPv4Network(value)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("10.0.0.0", "valid IPv4 CIDR"),
        ("10.0.0.0/33", "valid IPv4 CIDR"),
        ("10.0.0/16", "valid IPv4 CIDR"),
        ("10.0.0.256/24", "valid IPv4 CIDR"),
        ("office", "valid IPv4 CIDR"),
        ("2001:db8::/32", "valid IPv4 CIDR"),
        ("10.0.0.5/16", "has host bits set; did you mean 10.0.0.0/16?"),
    ],
)
def test_parse_cidr_rejects_malformed_values(value, rule):
    with raises("cidr", rule):
        parse_cidr(fields(), "cidr", value)


def test_private_cidr_bounds():
    assert str(check_private_cidr(fields(), "vpc_cidr", "10.0.0.0/16", 16, 20)) == "10.0.0.0/16"
    with raises("vpc_cidr", "private (RFC 1918)"):
        check_private_cidr(fields(), "vpc_cidr", "52.0.0.0/16", 16, 20)
    with raises("vpc_cidr", "between /16 and /20"):
        check_private_cidr(fields(), "vpc_cidr", "10.0.0.0/24", 16, 20)


def test_allow_list_refuses_anywhere_without_the_flag():
    with raises("public_access_cidrs[1]", "set allow_public_endpoint_from_anywhere: true"):
        check_allow_list(
            fields(),
            "public_access_cidrs",
            ["203.0.113.0/24", "0.0.0.0/0"],
            allow_anywhere=False,
            flag="allow_public_endpoint_from_anywhere",
        )
    allowed = check_allow_list(
        fields(), "public_access_cidrs", ["0.0.0.0/0"], allow_anywhere=True, flag="x"
    )
    assert allowed == ["0.0.0.0/0"]


def test_allow_list_refuses_duplicates():
    with raises("cidrs", "more than once"):
        check_allow_list(
            fields(), "cidrs", ["203.0.113.0/24", "203.0.113.0/24"], allow_anywhere=False, flag="x"
        )


def test_overlapping_ranges_are_named():
    networks = {
        "subnet_cidr": ipaddress.IPv4Network("10.0.0.0/20"),
        "pods_cidr": ipaddress.IPv4Network("10.4.0.0/14"),
        "services_cidr": ipaddress.IPv4Network("10.6.0.0/20"),
    }
    with raises("pods_cidr", "overlaps services_cidr (10.6.0.0/20)"):
        check_no_overlap(fields(), networks)
    del networks["services_cidr"]
    check_no_overlap(fields(), networks)


# --- versions ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", SUPPORTED_KUBERNETES_VERSIONS)
def test_supported_versions_pass(version):
    assert check_kubernetes_version(fields(), "kubernetes_version", version) == version


@pytest.mark.parametrize(
    ("version", "rule"),
    [
        ("1.32", "is not supported; use one of 1.33, 1.34, 1.35, 1.36"),
        ("1.37", "is not supported"),
        ("1.34.2", 'minor version like "1.34"'),
        ("v1.34", "minor version"),
        ("latest", "minor version"),
        ("1.3", "is not supported"),
    ],
)
def test_unsupported_versions_fail(version, rule):
    with raises("kubernetes_version", rule):
        check_kubernetes_version(fields(), "kubernetes_version", version)


def test_supported_versions_are_1_33_to_1_36():
    assert SUPPORTED_KUBERNETES_VERSIONS == ("1.33", "1.34", "1.35", "1.36")


def test_default_version_is_supported():
    assert DEFAULT_KUBERNETES_VERSION == "1.36"
    assert DEFAULT_KUBERNETES_VERSION in SUPPORTED_KUBERNETES_VERSIONS


def local_kubernetes_minor() -> str:
    """The minor of KUBERNETES_VERSION in tools/versions.env (the local control plane)."""
    for line in (ROOT / "tools" / "versions.env").read_text().splitlines():
        if line.startswith("KUBERNETES_VERSION="):
            major, minor, *_ = line.partition("=")[2].strip().split(".")
            return f"{major}.{minor}"
    raise AssertionError("tools/versions.env has no KUBERNETES_VERSION")


def test_cloud_default_version_is_the_local_clusters_minor():
    """One Kubernetes minor everywhere: EKS and GKE default to the minor the local control
    plane runs. Bumping KUBERNETES_VERSION fails this test until the cloud default (and
    SUPPORTED_KUBERNETES_VERSIONS) follow, once both clouds offer the new minor."""
    assert local_kubernetes_minor() == DEFAULT_KUBERNETES_VERSION
    assert max(SUPPORTED_KUBERNETES_VERSIONS, key=lambda v: int(v.split(".")[1])) == (
        DEFAULT_KUBERNETES_VERSION
    )


@pytest.mark.parametrize("stack", ["eks-staging", "gke-prod"])
def test_cloud_stacks_pin_the_default_version(stack):
    assert stack_cluster(stack)["moorage:cluster"]["kubernetes_version"] == (
        DEFAULT_KUBERNETES_VERSION
    )


# --- node bounds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "desired"), [(0, 1, None), (2, 4, 2), (2, 4, 4), (3, 3, 3), (0, 10, 0)]
)
def test_node_bounds_accept_consistent_sizes(low, high, desired):
    check_node_bounds(
        fields(prefix="node_group."),
        min_key="min_size",
        min_value=low,
        max_key="max_size",
        max_value=high,
        desired_key="desired_size",
        desired_value=desired,
    )


@pytest.mark.parametrize(
    ("low", "high", "desired", "field", "rule"),
    [
        (-1, 3, None, "node_group.min_size", "must be 0 or more"),
        (0, 0, None, "node_group.max_size", "must be at least 1"),
        (5, 3, None, "node_group.min_size", "is greater than node_group.max_size (3)"),
        (2, 4, 1, "node_group.desired_size", "is less than node_group.min_size (2)"),
        (2, 4, 5, "node_group.desired_size", "is greater than node_group.max_size (4)"),
    ],
)
def test_node_bounds_reject_inconsistent_sizes(low, high, desired, field, rule):
    with raises(field, rule):
        check_node_bounds(
            fields(prefix="node_group."),
            min_key="min_size",
            min_value=low,
            max_key="max_size",
            max_value=high,
            desired_key="desired_size",
            desired_value=desired,
        )


# --- structure of the components ----------------------------------------------------------


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
) + [ROOT / "components" / "clusters" / name for name in ("nodes.py", "_shared.py")]


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


# --- stack configs and docs stay in step with the Args -----------------------------------


def stack_cluster(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return config


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
