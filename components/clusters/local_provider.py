"""Kept for stacks created before the cluster modules became private.

A LocalCluster's state holds its dynamic provider pickled by reference to
``moorage.clusters.local_provider.LocalClusterProvider``; this name lets such a stack
be updated or destroyed. New state refers to :mod:`._local_provider`.
"""

from ._local_provider import LocalClusterProvider

__all__ = ["LocalClusterProvider"]
