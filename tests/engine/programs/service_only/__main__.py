"""Test program: one WebService on an existing cluster, everything from stack config.

Config: ``kubeconfig`` (secret), ``name``, ``service`` (WebServiceArgs as JSON) and
``secrets`` (a secret JSON object, optional). The WebService gets the kubeconfig too.
"""

import pulumi
import pulumi_kubernetes as k8s
from moorage import WebService

config = pulumi.Config()
kubeconfig = config.require_secret("kubeconfig")
provider = k8s.Provider(
    "cluster",
    kubeconfig=kubeconfig,
    enable_config_map_mutable=True,
    enable_secret_mutable=True,
)
args = dict(config.require_object("service"))
args["kubeconfig"] = kubeconfig  # blue/green reads the live Service and Deployments
secret_keys = config.get_object("secretKeys") or []
if secret_keys:
    secrets = config.require_secret_object("secrets")
    args["secrets"] = {key: secrets.apply(lambda s, key=key: s[key]) for key in secret_keys}
service = WebService(
    config.get("name") or "web", args, pulumi.ResourceOptions(providers=[provider])
)
pulumi.export("namespace", service.namespace)
pulumi.export("service_name", service.service_name)
pulumi.export("deployment_name", service.deployment_name)
pulumi.export("url", service.url)
if service.live_color is not None:
    pulumi.export("live_color", service.live_color)
