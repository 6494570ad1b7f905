"""Pod-spec fields: init containers and native sidecars, command and args, volumes,
scheduling and spreading, envFrom, secret files, lifecycle hooks and shutdown, and defaults
that adapt to what the user set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import moorage.webservice as ws
import pytest
from moorage._defaults import Computed
from moorage._errors import ValidationError
from moorage.webservice import DEFAULTS, build_spec, prevalidate, render, validated_spec

from tests.unit.webservice.helpers import DEPLOYMENT, container, inputs, pod_spec, web_service

IMAGE = "ghcr.io/acme/api:1.4.2"
SIDECAR = {"name": "proxy", "image": "ghcr.io/acme/proxy:2.0"}
MIGRATE = {"name": "migrate", "image": IMAGE, "command": ["/app/migrate"]}


def spec_of(**args: Any) -> Any:
    return build_spec("api", {"image": IMAGE, **args})  # type: ignore[typeddict-item]


def fails(field: str, rule: str, **args: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        spec_of(**args)
    assert str(caught.value).startswith(f'WebService "api": {field} (')
    assert rule in str(caught.value)


def test_sidecars_are_native_and_start_before_the_init_containers(mocks):
    web_service(mocks, sidecars=[SIDECAR], init_containers=[MIGRATE])
    proxy, migrate = pod_spec(mocks)["initContainers"]
    assert proxy["name"] == "proxy"
    assert proxy["restartPolicy"] == "Always"
    assert migrate["name"] == "migrate"
    assert "restartPolicy" not in migrate
    assert migrate["command"] == ["/app/migrate"]


def test_init_containers_and_sidecars_get_the_main_containers_hardening(mocks):
    web_service(mocks, sidecars=[SIDECAR], init_containers=[MIGRATE])
    main = container(mocks)
    for c in pod_spec(mocks)["initContainers"]:
        assert c["securityContext"] == main["securityContext"]
        assert c["resources"] == main["resources"]  # the default requests and limits
        assert c["imagePullPolicy"] == "Always"
        assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]


def test_a_weakened_sidecar_is_rendered_as_asked():
    spec = spec_of(
        namespace="agents",  # a namespace the service creates would refuse these up front
        sidecars=[{**SIDECAR, "privileged": True, "capabilities_add": ["net_admin"]}],
        init_containers=[{**MIGRATE, "run_as_user": 0, "read_only_root_filesystem": False}],
    )
    proxy, migrate = render(spec).init_containers
    assert proxy["securityContext"]["privileged"] is True
    # Kubernetes rejects privileged with allowPrivilegeEscalation false.
    assert proxy["securityContext"]["allowPrivilegeEscalation"] is True
    assert proxy["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["NET_ADMIN"]}
    assert migrate["securityContext"]["runAsUser"] == 0
    assert migrate["securityContext"]["runAsNonRoot"] is False
    assert migrate["securityContext"]["readOnlyRootFilesystem"] is False


def test_sidecar_details():
    spec = spec_of(
        secrets={"TOKEN": "t"},
        volumes=[{"name": "shared", "mount_path": "/shared", "empty_dir": True}],
        sidecars=[
            {
                **SIDECAR,
                "args": ["--port", "15000"],
                "env": {"MODE": "proxy"},
                "env_from_secret_keys": ["TOKEN"],
                "env_from": [{"config_map_name": "proxy-settings"}],
                "resources": {
                    "cpu_request": "50m",
                    "memory_limit": "128Mi",
                    "memory_request": "64Mi",
                },
                "ports": [{"name": "proxy", "port": 15000}],
                "volume_mounts": [{"name": "shared", "mount_path": "/shared"}],
            }
        ],
    )
    (proxy,) = render(spec).init_containers
    assert proxy["args"] == ["--port", "15000"]
    assert proxy["env"] == [
        {"name": "MODE", "value": "proxy"},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api-secrets", "key": "TOKEN"}}},
    ]
    assert proxy["envFrom"] == [{"configMapRef": {"name": "proxy-settings"}}]
    assert proxy["resources"]["requests"]["cpu"] == "50m"
    assert proxy["resources"]["limits"]["memory"] == "128Mi"
    assert proxy["ports"] == [{"name": "proxy", "containerPort": 15000, "protocol": "TCP"}]
    assert {"name": "shared", "mountPath": "/shared", "readOnly": False} in proxy["volumeMounts"]
    assert "proxy" in [p["name"] for p in render(spec).service()["ports"]]


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [
        ({"sidecars": [{"name": "api", "image": IMAGE}]}, "sidecars[api].name", "already the name"),
        ({"init_containers": [{"name": "m"}]}, "init_containers[0].image", "is required"),
        (
            {"init_containers": [{**MIGRATE, "ports": [{"name": "x", "port": 1}]}]},
            "init_containers[0].ports",
            "only sidecars have ports",
        ),
        ({"sidecars": [{**SIDECAR, "image": "proxy:latest"}]}, "sidecars[0].image", "'latest'"),
        (
            {"sidecars": [{**SIDECAR, "volume_mounts": [{"name": "nope", "mount_path": "/x"}]}]},
            "sidecars[0].volume_mounts[0].name",
            "is not a volume of the pod",
        ),
        (
            {"sidecars": [{**SIDECAR, "privileged": True, "allow_privilege_escalation": False}]},
            "sidecars[0].allow_privilege_escalation",
            "cannot be false for a privileged container",
        ),
        (
            {"sidecars": [{**SIDECAR, "env_from_secret_keys": ["NOPE"]}]},
            "sidecars[0].env_from_secret_keys[0]",
            "is not a key of secrets",
        ),
        (
            {"sidecars": [{**SIDECAR, "resources": {"cpu_request": "2", "cpu_limit": "1"}}]},
            "sidecars[0].resources.cpu_request",
            "is greater than sidecars[0].resources.cpu_limit",
        ),
        (
            {"sidecars": [{**SIDECAR, "privilegd": True}]},
            "sidecars[0].privilegd",
            'not a known field of ContainerArgs; did you mean "privileged"?',
        ),
    ],
)
def test_container_errors(args, field, rule):
    fails(field, rule, **args)


def test_scheduling_fields(mocks):
    web_service(
        mocks,
        image_pull_secrets=["regcred"],
        node_selector={"kubernetes.io/arch": "arm64"},
        tolerations=[
            {"key": "dedicated", "value": "api", "effect": "NoSchedule"},
            {
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "effect": "NoExecute",
                "toleration_seconds": 30,
            },
        ],
        affinity={
            "node_required": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["a", "b"]}
            ],
            "node_preferred": [{"key": "spot", "operator": "DoesNotExist", "weight": 50}],
            "pod_anti_affinity": "required",
        },
        priority_class_name="business-critical",
    )
    pod = pod_spec(mocks)
    assert pod["imagePullSecrets"] == [{"name": "regcred"}]
    assert pod["nodeSelector"] == {"kubernetes.io/arch": "arm64"}
    assert pod["tolerations"] == [
        {"operator": "Equal", "key": "dedicated", "value": "api", "effect": "NoSchedule"},
        {
            "operator": "Exists",
            "key": "node.kubernetes.io/unreachable",
            "effect": "NoExecute",
            "tolerationSeconds": 30,
        },
    ]
    node = pod["affinity"]["nodeAffinity"]
    assert node["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] == [
        {
            "matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["a", "b"]}
            ]
        }
    ]
    assert node["preferredDuringSchedulingIgnoredDuringExecution"] == [
        {
            "weight": 50,
            "preference": {"matchExpressions": [{"key": "spot", "operator": "DoesNotExist"}]},
        }
    ]
    (term,) = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    assert pod["priorityClassName"] == "business-critical"


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [
        (
            {"tolerations": [{"value": "x"}]},
            "tolerations[0].operator",
            'must be "Exists" when key is empty',
        ),
        (
            {"tolerations": [{"key": "k", "operator": "Exists", "value": "v"}]},
            "tolerations[0].value",
            "must be empty",
        ),
        (
            {"tolerations": [{"key": "k", "toleration_seconds": 5}]},
            "tolerations[0].toleration_seconds",
            "only applies with effect NoExecute",
        ),
        (
            {"tolerations": [{"key": "k", "effect": "Never"}]},
            "tolerations[0].effect",
            "must be one of NoSchedule",
        ),
        (
            {"affinity": {"node_required": [{"key": "k", "operator": "In"}]}},
            "affinity.node_required[0].values",
            "at least one value",
        ),
        (
            {"affinity": {"node_required": [{"key": "k", "operator": "Gt", "values": ["a"]}]}},
            "affinity.node_required[0].values",
            "exactly one integer",
        ),
        (
            {"affinity": {"node_preferred": [{"key": "k", "operator": "Exists", "weight": 0}]}},
            "affinity.node_preferred[0].weight",
            "from 1 to 100",
        ),
        (
            {"affinity": {"pod_anti_affinity": "always"}},
            "affinity.pod_anti_affinity",
            "one of none, preferred, required",
        ),
        ({"image_pull_secrets": ["Bad_Name"]}, "image_pull_secrets[0]", "DNS-1123 subdomain"),
        ({"node_selector": {"bad key!": "x"}}, "node_selector.bad key!", "label/annotation key"),
        ({"priority_class_name": "High"}, "priority_class_name", "DNS-1123 subdomain"),
        (
            {"env_from": [{"config_map_name": "a", "secret_name": "b"}]},
            "env_from[0]",
            "exactly one of",
        ),
        (
            {"env_from": [{"secret_name": "a", "prefix": "1X"}]},
            "env_from[0].prefix",
            "environment variable name",
        ),
    ],
)
def test_scheduling_and_env_from_errors(args, field, rule):
    fails(field, rule, **args)


def test_env_from_existing_config_maps_and_secrets_follows_the_own_config(mocks):
    web_service(
        mocks,
        config={"A": "1"},
        env_from=[
            {"config_map_name": "shared-settings", "prefix": "SHARED_"},
            {"secret_name": "db-credentials", "optional": True},
        ],
    )
    assert container(mocks)["envFrom"] == [
        {"configMapRef": {"name": "api-config"}},
        {"configMapRef": {"name": "shared-settings"}, "prefix": "SHARED_"},
        {"secretRef": {"name": "db-credentials", "optional": True}},
    ]


def test_secrets_as_files_mount_the_secret_instead_of_env_vars(mocks):
    web_service(mocks, secrets={"tls.key": "k", "tls.crt": "c"}, secrets_as_files=True)
    c = container(mocks)
    assert "env" not in c
    assert {"name": "secrets", "mountPath": "/etc/secrets", "readOnly": True} in c["volumeMounts"]
    volume = next(v for v in pod_spec(mocks)["volumes"] if v["name"] == "secrets")
    assert volume["secret"] == {"secretName": "api-secrets", "defaultMode": 0o440}


def test_lifecycle_hooks():
    c = render(
        spec_of(lifecycle={"pre_stop_command": ["/bin/drain"], "post_start_command": ["/bin/warm"]})
    ).container
    assert c["lifecycle"] == {
        "preStop": {"exec": {"command": ["/bin/drain"]}},
        "postStart": {"exec": {"command": ["/bin/warm"]}},
    }
    fails(
        "pre_stop_delay_seconds",
        "cannot be set together with lifecycle.pre_stop_command",
        pre_stop_delay_seconds=3,
        lifecycle={"pre_stop_command": ["/bin/drain"]},
    )


def test_an_empty_dir_may_omit_its_size():
    spec = spec_of(volumes=[{"name": "cache", "mount_path": "/cache", "empty_dir": True}])
    assert {"name": "cache", "emptyDir": {}} in render(spec).pod_template["spec"]["volumes"]
    sized = spec_of(
        volumes=[
            {"name": "c", "mount_path": "/c", "empty_dir": True, "empty_dir_size_limit": "1Gi"}
        ]
    )
    assert {"name": "c", "emptyDir": {"sizeLimit": "1Gi"}} in render(sized).pod_template["spec"][
        "volumes"
    ]
    fails(
        "volumes[0].empty_dir",
        "contradicts empty_dir_size_limit",
        volumes=[
            {"name": "c", "mount_path": "/c", "empty_dir": False, "empty_dir_size_limit": "1Gi"}
        ],
    )


# -- command and args ----------------------------------------------------------------------


def test_command_and_args_are_passed_through(mocks):
    web_service(mocks, command=["/app/server"], container_args=["--verbose"])

    assert container(mocks)["command"] == ["/app/server"]
    assert container(mocks)["args"] == ["--verbose"]


# -- volumes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value", "expected_source", "read_only"),
    [
        ("empty_dir_size_limit", "256Mi", {"emptyDir": {"sizeLimit": "256Mi"}}, False),
        ("config_map_name", "shared-config", {"configMap": {"name": "shared-config"}}, True),
        ("secret_name", "tls-certs", {"secret": {"secretName": "tls-certs"}}, True),
        (
            "persistent_volume_claim_name",
            "uploads",
            {"persistentVolumeClaim": {"claimName": "uploads"}},
            False,
        ),
    ],
)
def test_each_volume_source_is_declared_and_mounted(
    mocks, source, value, expected_source, read_only
):
    web_service(mocks, volumes=[{"name": "data", "mount_path": "/data", source: value}])

    volumes = {v["name"]: v for v in pod_spec(mocks)["volumes"]}
    mounts = {m["name"]: m for m in container(mocks)["volumeMounts"]}

    assert volumes["data"] == {"name": "data", **expected_source}
    assert mounts["data"] == {"name": "data", "mountPath": "/data", "readOnly": read_only}


@pytest.mark.parametrize("read_only", [True, False])
def test_volume_read_only_can_be_overridden(mocks, read_only):
    web_service(
        mocks,
        volumes=[
            {"name": "data", "mount_path": "/data", "secret_name": "s", "read_only": read_only}
        ],
    )

    mounts = {m["name"]: m for m in container(mocks)["volumeMounts"]}

    assert mounts["data"]["readOnly"] is read_only


def test_every_volume_mount_refers_to_a_declared_volume(mocks):
    web_service(
        mocks,
        config={"LOG_LEVEL": "info"},
        config_mount_path="/etc/api",
        volumes=[{"name": "data", "mount_path": "/data", "empty_dir_size_limit": "1Gi"}],
    )

    declared = {v["name"] for v in pod_spec(mocks)["volumes"]}
    mounted = [m["name"] for m in container(mocks)["volumeMounts"]]

    assert len(mounted) == 3
    assert set(mounted) <= declared


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(
            {"volumes": [{"name": "scratch", "mount_path": "/tmp", "empty_dir_size_limit": "1Gi"}]},
            id="tmp",
        ),
        pytest.param(
            {
                "config": {"A": "1"},
                "config_mount_path": "/etc/api",
                "volumes": [{"name": "extra", "mount_path": "/etc/api", "secret_name": "x"}],
            },
            id="config-mount",
        ),
        pytest.param(
            {
                "volumes": [
                    {"name": "a", "mount_path": "/data", "secret_name": "a"},
                    {"name": "b", "mount_path": "/data", "secret_name": "b"},
                ]
            },
            id="two-volumes",
        ),
    ],
)
def test_volume_mount_paths_must_be_unique(mocks, fields):
    with pytest.raises(ValidationError, match="mount_path"):
        web_service(mocks, **fields)


# -- shutdown and spreading ----------------------------------------------------------------


def test_pre_stop_sleep_fits_in_the_grace_period(mocks):
    web_service(mocks)

    pod = pod_spec(mocks)
    sleep = container(mocks)["lifecycle"]["preStop"]["sleep"]["seconds"]

    assert 0 < sleep < pod["terminationGracePeriodSeconds"]


def test_pre_stop_and_grace_period_can_be_changed(mocks):
    web_service(mocks, pre_stop_delay_seconds=15, termination_grace_period_seconds=60)

    assert container(mocks)["lifecycle"]["preStop"]["sleep"]["seconds"] == 15
    assert pod_spec(mocks)["terminationGracePeriodSeconds"] == 60


def test_pods_spread_over_zones_and_nodes_without_blocking_scheduling(mocks):
    web_service(mocks)
    selector = inputs(mocks, DEPLOYMENT)["spec"]["selector"]

    constraints = pod_spec(mocks)["topologySpreadConstraints"]

    assert {c["topologyKey"] for c in constraints} == {
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    }
    for c in constraints:
        # DoNotSchedule would leave pods Pending on a single-zone or single-node cluster.
        assert c["whenUnsatisfiable"] == "ScheduleAnyway"
        assert c["labelSelector"] == selector


# -- defaults adapt to what the user set ----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "grace", "delay"),
    [
        ({}, 30, 5),
        ({"termination_grace_period_seconds": 5}, 5, 2),
        ({"termination_grace_period_seconds": 1}, 1, 0),
        ({"termination_grace_period_seconds": 60}, 60, 5),
        ({"pre_stop_delay_seconds": 30}, 55, 30),
        ({"pre_stop_delay_seconds": 3}, 30, 3),
        ({"termination_grace_period_seconds": 10, "pre_stop_delay_seconds": 9}, 10, 9),
    ],
)
def test_the_pre_stop_delay_and_the_grace_period_fit_each_other(args, grace, delay):
    spec = spec_of(**args)
    assert spec.containers.termination_grace_period_seconds == grace
    assert spec.containers.pre_stop_delay_seconds == delay
    c = render(spec).container
    if delay:
        assert c["lifecycle"]["preStop"] == {"sleep": {"seconds": delay}}
    else:
        assert "lifecycle" not in c


def test_only_the_users_own_values_can_contradict():
    fails(
        "pre_stop_delay_seconds",
        "must be less than termination_grace_period_seconds (5)",
        termination_grace_period_seconds=5,
        pre_stop_delay_seconds=5,
    )


# -- one source of truth ----------------------------------------------------------------------


def _field_type(path: str) -> Any:
    """The Args type that holds the last field of ``path`` (list items included)."""
    current: Any = ws.WebServiceArgs
    *parents, last = path.split(".")
    for part in parents:
        hint = current.__annotations__[part]
        current = _typed_dict_in(hint)
    assert last in current.__annotations__, path
    return current


def _typed_dict_in(hint: Any) -> Any:
    for arg in getattr(hint, "__args__", ()):
        if isinstance(arg, type) and hasattr(arg, "__annotations__") and hasattr(arg, "__total__"):
            return arg
        found = _typed_dict_in(arg)
        if found is not None:
            return found
    return None


@pytest.mark.parametrize("path", sorted(DEFAULTS))
def test_every_default_belongs_to_an_args_field(path):
    _field_type(path)


def test_args_docstrings_do_not_repeat_table_defaults():
    for source in Path(ws.__file__).parent.rglob("*.py"):
        assert "Default " not in source.read_text(), source
    assert all(isinstance(v, Computed) or v is not None for v in DEFAULTS.values())


def test_the_spec_is_built_once_for_the_same_args():
    args = {"image": IMAGE, "replicas": 3}
    first = prevalidate("api", args)  # type: ignore[arg-type]
    assert validated_spec("api", args) is first  # type: ignore[arg-type]
    # Handed over once: the next WebService from these args builds its own spec.
    assert validated_spec("api", args) is not first  # type: ignore[arg-type]
    prevalidate("api", args)  # type: ignore[arg-type]
    args["replicas"] = 4  # changed after validation: built again
    assert validated_spec("api", args).workload.replicas == 4  # type: ignore[arg-type]


def test_the_program_validates_once_and_the_component_reuses_it(mocks, monkeypatch):
    import importlib

    # The one reader every seam goes through (the documented seam for counting builds).
    spec = importlib.import_module("moorage.webservice._spec")
    built = []
    real = spec.read_spec
    monkeypatch.setattr(spec, "read_spec", lambda n, a: built.append(n) or real(n, a))
    args = {"image": IMAGE}
    prevalidate("api", args)  # type: ignore[arg-type]
    mocks.run(lambda: ws.WebService("api", args))  # type: ignore[arg-type]
    assert built == ["api"]


@pytest.mark.parametrize(
    ("args", "fixed", "planned"),
    [({}, 2, 2), ({"replicas": 0}, 0, 0), ({"autoscaling": {"min_replicas": 3}}, None, 3)],
)
def test_the_replica_rule_lives_in_one_place(args, fixed, planned):
    spec = spec_of(**args)
    assert spec.workload.fixed_replicas == fixed
    assert spec.workload.planned_replicas == planned
    assert render(spec).deployment.get("replicas") == fixed
