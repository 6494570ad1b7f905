"""GkeCluster IAM and keys (gke/_iam.py): the node service account and the secrets key."""

from __future__ import annotations

from moorage.clusters.gke import (
    NODE_SERVICE_ACCOUNT_ROLES,
)

from .conftest import (
    CLUSTER,
    CRYPTO_KEY,
    GET_PROJECT,
    GKE_AGENT,
    IAM_MEMBER,
    KEY_MEMBER,
    KEY_RING,
    PROJECT,
    SERVICE_ACCOUNT,
    base_args,
    build,
)


def test_node_service_account_has_only_the_four_roles(gke):
    build(gke, base_args())

    account = gke.one(SERVICE_ACCOUNT).inputs
    assert account["accountId"] == "prod-nodes"
    members = gke.of_type(IAM_MEMBER)
    assert (
        {m.inputs["role"] for m in members}
        == set(NODE_SERVICE_ACCOUNT_ROLES)
        == {
            "roles/logging.logWriter",
            "roles/monitoring.metricWriter",
            "roles/monitoring.viewer",
            "roles/artifactregistry.reader",
        }
    )
    assert {m.inputs["member"] for m in members} == {
        f"serviceAccount:prod-nodes@{PROJECT}.iam.gserviceaccount.com"
    }
    assert {m.inputs["project"] for m in members} == {PROJECT}


def test_secrets_are_encrypted_with_a_rotating_key_moorage_creates(gke):
    """CIS GKE 5.3.1: application-layer Secrets encryption with a Cloud KMS key."""
    cluster = build(gke, base_args())

    ring = gke.one(KEY_RING).inputs
    assert (ring["name"], ring["location"]) == ("prod-secrets", "us-central1")
    key = gke.one(CRYPTO_KEY).inputs
    assert key["keyRing"] == "prod-secrets-id"
    assert key["purpose"] == "ENCRYPT_DECRYPT"
    assert key["rotationPeriod"] == "7776000s"  # 90 days
    inputs = gke.one(CLUSTER).inputs
    assert inputs["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": "prod-secrets-key-id"}
    assert gke.settle(cluster.secrets_encryption_key) == "prod-secrets-key-id"


def test_the_gke_service_agent_gets_exactly_encrypter_decrypter_on_the_key(gke):
    build(gke, base_args())

    [grant] = gke.of_type(KEY_MEMBER)
    assert grant.inputs == {
        "cryptoKeyId": "prod-secrets-key-id",
        "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        "member": GKE_AGENT,
    }
    # Nothing else grants the agent anything, and the project lookup names the project.
    assert all(m.inputs["member"] != GKE_AGENT for m in gke.of_type(IAM_MEMBER))
    assert [args["projectId"] for token, args in gke.calls if token == GET_PROJECT] == [PROJECT]
    # GKE checks its access to the key when the cluster is created.
    assert gke.resource(CLUSTER, "prod-cluster").depends_on(KEY_MEMBER, "prod-secrets-gke-agent")


def test_a_key_of_the_users_is_used_and_granted(gke):
    key = f"projects/{PROJECT}/locations/us-central1/keyRings/gke/cryptoKeys/secrets"
    build(gke, base_args(secrets_encryption_key=key))

    assert gke.of_type(KEY_RING) == [] and gke.of_type(CRYPTO_KEY) == []
    assert gke.one(CLUSTER).inputs["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": key}
    assert gke.one(KEY_MEMBER).inputs["cryptoKeyId"] == key
    assert gke.one(KEY_MEMBER).inputs["member"] == GKE_AGENT


def test_autopilot_encrypts_secrets_too(gke):
    build(gke, base_args(autopilot=True))

    assert gke.one(CLUSTER).inputs["databaseEncryption"]["state"] == "ENCRYPTED"
