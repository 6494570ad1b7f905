"""The checksum/secrets annotation reveals nothing that can be guessed offline.

It is an HMAC of the secret data under a random key that each stack makes once (a
dynamic-provider resource) and keeps as a Pulumi secret: stable across updates of one
stack, different between stacks, and useless to a dictionary attack without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from moorage.webservice import checksum_key, secrets_checksum

from tests.unit.conftest import CHECKSUM_KEY, checksum_key_for
from tests.unit.webservice.helpers import pod_annotations, web_service

SECRET = "summer2024"
DICTIONARY = ["password", "hunter2", "summer2023", SECRET, "winter2024"]


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


def test_a_dictionary_attack_without_the_key_finds_nothing(make_mocks: Any) -> None:
    checksum = _checksum(make_mocks)

    found = [g for g in DICTIONARY if any(checksum in h for h in _offline_guesses(g))]

    assert found == []


def test_the_checksum_is_an_hmac_under_the_stacks_key(make_mocks: Any) -> None:
    key = checksum_key_for("dev", "api-checksum-key")

    assert _checksum(make_mocks) == secrets_checksum(key, {"DB_PASSWORD": SECRET})


def test_stable_across_updates_of_one_stack(make_mocks: Any) -> None:
    assert _checksum(make_mocks) == _checksum(make_mocks)


def test_changes_when_a_secret_changes(make_mocks: Any) -> None:
    assert _checksum(make_mocks) != _checksum(make_mocks, DB_PASSWORD="winter2024")


def test_two_stacks_with_the_same_secret_show_different_values(make_mocks: Any) -> None:
    assert _checksum(make_mocks, stack="dev") != _checksum(make_mocks, stack="prod")


def test_the_key_is_a_secret_output_child_of_the_service(make_mocks: Any) -> None:
    mocks = make_mocks()
    web_service(mocks, secrets={"DB_PASSWORD": SECRET})

    key = mocks.one(CHECKSUM_KEY)
    request = mocks.requests[(CHECKSUM_KEY, "api-checksum-key")]

    assert key.name == "api-checksum-key"
    assert key.parent.endswith("moorage:index:WebService::api")
    assert list(request.additionalSecretOutputs) == ["key"]


def test_no_key_without_secrets(make_mocks: Any) -> None:
    mocks = make_mocks()
    web_service(mocks, config={"A": "1"})

    assert mocks.of_type(CHECKSUM_KEY) == []


# -- the provider itself ------------------------------------------------------------


def test_each_created_key_is_fresh_random_256_bits() -> None:
    provider = checksum_key._ChecksumKeyProvider()

    first = provider.create({}).outs["key"]
    second = provider.create({}).outs["key"]

    assert len(bytes.fromhex(first)) == 32
    assert first != second


def test_the_key_never_changes_once_created() -> None:
    provider = checksum_key._ChecksumKeyProvider()
    olds = {"key": "ab" * 32, "__provider": "old-serialised-provider"}
    news = {"__provider": "new-serialised-provider"}

    assert provider.diff("id", olds, news).changes is False
    assert provider.update("id", olds, news).outs == {"key": "ab" * 32}
