"""Moorage's Pulumi program: the stack's cluster (local, EKS or GKE) and the WebService on it.

The logic lives in the importable package (moorage._program) so it is tested
like the rest; this file only runs it.
"""

from moorage._program import main

main()
