"""The retired per-service checksum key's dynamic provider, kept for existing stacks.

Moorage used to key an HMAC ``checksum/secrets`` annotation with a random key held by a
``<name>-checksum-key`` dynamic resource. The annotation is now the Secret's
resourceVersion (``_config.secrets_checksum``), so no key is declared; stacks made before
still hold those resources, and the engine needs this provider (unpickled from their
state) to delete them on their next update.
"""

from __future__ import annotations

from typing import Any

import pulumi.dynamic


class _ChecksumKeyProvider(pulumi.dynamic.ResourceProvider):
    """No key is created any more; an existing one never changes until it is deleted
    (deleting is the base class's no-op: the key lives only in state)."""

    # Pickled by reference into the state under this (stable) module path; see checksum_key.py.
    __module__ = "moorage.webservice.checksum_key"

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
