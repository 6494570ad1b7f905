"""Small helpers the EKS and GKE components share."""

from __future__ import annotations

from typing import Any

import pulumi


def with_opts(base: pulumi.ResourceOptions, **extra: Any) -> pulumi.ResourceOptions:
    """``base`` with more options merged in (depends_on lists are concatenated)."""
    return pulumi.ResourceOptions.merge(base, pulumi.ResourceOptions(**extra))
