"""A random key, made once per stack and service and kept as a Pulumi secret.

The ``checksum/secrets`` pod annotation is an HMAC of the secret data under this key
(``manifests.secrets_checksum``). The key is drawn from ``os.urandom`` when the resource
is created and then lives only in the stack's state, encrypted like every Pulumi secret.
So the annotation is stable across updates of one stack (no rollout when nothing
changed), differs between stacks that share a secret, and cannot be checked against
guesses by anyone who can read the Deployment but not the state's secrets.

It is a dynamic-provider resource, so no extra provider plugin is needed.
"""

from __future__ import annotations

import secrets
from typing import Any

import pulumi
import pulumi.dynamic

KEY_BYTES = 32


class _ChecksumKeyProvider(pulumi.dynamic.ResourceProvider):
    """Creates the key once; nothing ever changes or replaces it."""

    # Pickled by reference into the state under this (stable) module path; see checksum_key.py.
    __module__ = "moorage.webservice.checksum_key"

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult(
            secrets.token_hex(8), {"key": secrets.token_hex(KEY_BYTES)}
        )

    def diff(
        self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        # The key has no inputs: a new program version (a new serialised provider)
        # must not change it, or every secret-bearing service would roll.
        return pulumi.dynamic.DiffResult(changes=False)

    def update(
        self, _id: str, olds: dict[str, Any], _news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult({"key": olds["key"]})


class ChecksumKey(pulumi.dynamic.Resource, module="moorage", name="ChecksumKey"):
    """A random 256-bit key (hex) for the secrets checksum, secret in state."""

    key: pulumi.Output[str]
    """The key, hex-encoded; always a Pulumi secret."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__(
            _ChecksumKeyProvider(),
            name,
            {"key": None},
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["key"])
            ),
        )
