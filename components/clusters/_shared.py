"""Small helpers the EKS and GKE components share."""

from __future__ import annotations

from typing import Any

import pulumi


def with_opts(base: pulumi.ResourceOptions, **extra: Any) -> pulumi.ResourceOptions:
    """``base`` with more options merged in (depends_on lists are concatenated)."""
    return pulumi.ResourceOptions.merge(base, pulumi.ResourceOptions(**extra))


def moved_children(
    owner: pulumi.Resource, opts: pulumi.ResourceOptions | None
) -> pulumi.ResourceOptions:
    """Options for children of ``owner`` that used to be children of ``opts.parent``.

    The alias keeps a stack created before ``owner`` existed from replacing them.
    """
    old_parent = opts.parent if opts is not None else None
    return pulumi.ResourceOptions(
        parent=owner, aliases=[pulumi.Alias(parent=old_parent)] if old_parent else None
    )
