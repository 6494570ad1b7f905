"""Moorage's policy pack: Kubernetes workload and cluster guardrails for `pulumi preview`.

The checks are plain functions over camelCase resource properties (the shape the
engine hands a policy pack), so unit tests call them without the engine:

- :mod:`moorage_policy.workloads`: containers of every Deployment (resources, probes,
  security context, image tags);
- :mod:`moorage_policy.secrets`: secret-looking literal env values;
- :mod:`moorage_policy.availability`: PodDisruptionBudgets and HPA bounds;
- :mod:`moorage_policy.network`: public LoadBalancer Services;
- :mod:`moorage_policy.clusters`: EKS and GKE cluster settings;
- :mod:`moorage_policy.catalogue`: every policy's name, default enforcement level,
  rationale and check;
- :mod:`moorage_policy.pack`: the `pulumi_policy` adapter (the only module that
  needs the engine).
"""
