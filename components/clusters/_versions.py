"""The Kubernetes versions cloud clusters offer and default to."""

SUPPORTED_KUBERNETES_VERSIONS: tuple[str, ...] = ("1.33", "1.34", "1.35", "1.36")
"""Kubernetes minor versions both EKS and GKE offer (checked 2026-11-29). On EKS, 1.33 is in
extended support (six times the control-plane price) and 1.34 leaves standard support on
2026-12-02; 1.35 and 1.36 are in standard support. GKE's Regular channel offers 1.33-1.36."""

DEFAULT_KUBERNETES_VERSION = "1.36"
"""Default cloud cluster version: the minor of the local control plane (KUBERNETES_VERSION in
tools/versions.env, checked by a test), which both clouds offer in standard support (EKS
since 2026-06, standard support to 2027-08; GKE Regular channel)."""
