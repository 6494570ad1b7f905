"""The checksum/secrets annotation rolls the pods when a secret changes and reveals nothing.

It is the Secret's resourceVersion as the API server reports it: a new one on every
write of the Secret, the same while nothing changes, and derived from nothing secret, so
a dictionary attack on the rendered Deployment has nothing to check a guess against. The
mocks stand in for the server (``resource_version_for``); the engine test checks the
real one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from moorage.webservice import checksum_key, secrets_checksum

from tests.unit.conftest import SECRET_TYPE
from tests.unit.webservice.helpers import pod_annotations, web_service

SECRET = "summer2024"
DICTIONARY = ["password", "hunter2", "summer2023", SECRET, "winter2024"]
RETIRED_CHECKSUM_KEY = "pulumi-python:dynamic/moorage:ChecksumKey"


def _checksum(make_mocks: Any, stack: str = "dev", **secrets: str) -> str:
    mocks = make_mocks(stack=stack)
    web_service(mocks, secrets=secrets or {"DB_PASSWORD": SECRET})
    return str(pod_annotations(mocks)["checksum/secrets"])


def _offline_guesses(guess: str) -> list[str]:
    """What an attacker without the stack's state could compute for a guess."""
    canonical = json.dumps({"DB_PASSWORD": guess}, sort_keys=True, separators=(",", ":"))
    return [
        hashlib.sha256(canonical.encode()).hexdigest(),
        hashlib.scrypt(canonical.encode(), salt=b"moorage/api", n=2**13, r=8, p=1, dklen=16).hex(),
        hmac.new(b"", canonical.encode(), hashlib.sha256).hexdigest(),
        hmac.new(b"moorage/api", canonical.encode(), hashlib.sha256).hexdigest(),
    ]


SHORTEST_FINGERPRINT = 8
"""Hex characters below which a value is no digest of anything (fewer than 32 bits)."""


def guessed(checksum: str) -> list[str]:
    """The dictionary words one of whose offline digests contains ``checksum`` (whole, or
    any slice of it). A value shorter than :data:`SHORTEST_FINGERPRINT`, such as a small
    resourceVersion, is no fingerprint: it turns up inside some digest by chance, not by
    derivation."""
    if len(checksum) < SHORTEST_FINGERPRINT:
        return []
    return [g for g in DICTIONARY if any(checksum in h for h in _offline_guesses(g))]


def test_a_dictionary_attack_finds_nothing(make_mocks: Any) -> None:
    assert guessed(_checksum(make_mocks)) == []


def test_a_checksum_derived_from_the_secret_would_be_found() -> None:
    """The attack above can fail: a digest of the secret, whole or any slice of it, is found."""
    digest = _offline_guesses(SECRET)[0]
    assert guessed(digest) == [SECRET]
    assert guessed(digest[:16]) == [SECRET]
    assert guessed(digest[20:36]) == [SECRET]


def test_the_checksum_is_the_secrets_resource_version(make_mocks: Any) -> None:
    mocks = make_mocks()
    web_service(mocks, secrets={"DB_PASSWORD": SECRET})

    (secret,) = mocks.of_type(SECRET_TYPE)
    deployment = mocks.one("kubernetes:apps/v1:Deployment")

    version = pod_annotations(mocks)["checksum/secrets"]
    assert version == secret.outputs["metadata"]["resourceVersion"]
    assert version.isdigit()
    # The pods wait for the Secret they read the version of.
    assert deployment.depends_on(SECRET_TYPE, "api-secrets")


def test_stable_across_updates_of_one_stack(make_mocks: Any) -> None:
    assert _checksum(make_mocks) == _checksum(make_mocks)


def test_changes_when_a_secret_changes(make_mocks: Any) -> None:
    assert _checksum(make_mocks) != _checksum(make_mocks, DB_PASSWORD="winter2024")


def test_no_version_no_secret_in_the_annotation() -> None:
    # Pulumi's plain echoing mocks report no resourceVersion: a fixed placeholder, never
    # anything derived from the data.
    assert secrets_checksum(None) == secrets_checksum("") == "no-resource-version"
    assert secrets_checksum("4711") == "4711"


def test_no_checksum_key_resource_is_declared(make_mocks: Any) -> None:
    mocks = make_mocks()
    web_service(mocks, secrets={"DB_PASSWORD": SECRET})

    assert mocks.of_type(RETIRED_CHECKSUM_KEY) == []
    assert not any(r.typ.startswith("pulumi-python:dynamic") for r in mocks.resources)


# -- the retired key's provider: stacks made before still hold keys ----------------------


def test_the_retired_key_never_changes_and_still_unpickles_by_its_path() -> None:
    provider = checksum_key._ChecksumKeyProvider()
    olds = {"key": "ab" * 32, "__provider": "old-serialised-provider"}
    news = {"__provider": "new-serialised-provider"}

    assert type(provider).__module__ == "moorage.webservice.checksum_key"
    assert provider.diff("id", olds, news).changes is False
    assert provider.update("id", olds, news).outs == {"key": "ab" * 32}
