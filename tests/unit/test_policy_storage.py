"""The single-attach-claim-one-pod stack policy on WebService's own manifests and raw ones."""

from __future__ import annotations

from typing import Any

from moorage_policy.availability import StackResource
from moorage_policy.storage import check_shared_claims


def claim(name: str, modes: list[str], namespace: str = "shop") -> StackResource:
    props = {"metadata": {"name": name, "namespace": namespace}, "spec": {"accessModes": modes}}
    return StackResource("kubernetes:core/v1:PersistentVolumeClaim", name, f"urn::{name}", props)


def deployment(name: str, replicas: int, claim_name: str, namespace: str = "shop") -> StackResource:
    props: dict[str, Any] = {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "template": {
                "spec": {
                    "volumes": [
                        {"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}
                    ]
                }
            },
        },
    }
    return StackResource("kubernetes:apps/v1:Deployment", name, f"urn::{name}", props)


def hpa(target: str, most: int) -> StackResource:
    props = {
        "metadata": {"name": target, "namespace": "shop"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": target}, "maxReplicas": most},
    }
    return StackResource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", target, "u", props)


def test_a_read_write_once_claim_shared_by_replicas_is_a_violation() -> None:
    found = check_shared_claims(
        [claim("db-data", ["ReadWriteOnce"]), deployment("db", 3, "db-data")]
    )
    assert len(found) == 1
    message = found[0][1].message
    assert "can run 3 pods" in message and "db-data" in message
    assert "`replicas`: 1" in found[0][1].message


def test_an_autoscaler_counts_as_several_pods() -> None:
    resources = [claim("db-data", ["ReadWriteOnce"]), deployment("db", 1, "db-data"), hpa("db", 4)]
    assert len(check_shared_claims(resources)) == 1


def test_one_pod_read_write_many_or_another_namespace_is_fine() -> None:
    assert check_shared_claims([claim("d", ["ReadWriteOnce"]), deployment("db", 1, "d")]) == []
    assert check_shared_claims([claim("d", ["ReadWriteMany"]), deployment("db", 3, "d")]) == []
    other = [claim("d", ["ReadWriteOnce"], "a"), deployment("db", 3, "d", "b")]
    assert check_shared_claims(other) == []
