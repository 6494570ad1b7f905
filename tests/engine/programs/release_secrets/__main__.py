"""Test program: one WebService whose pod template holds a secret in env, args and an
annotation (config ``leak``, a secret string). Otherwise like ``service_only``: config
``kubeconfig`` (secret), ``name`` and ``service`` (WebServiceArgs as JSON).
"""

import pulumi
import pulumi_kubernetes as k8s
from moorage import WebService

config = pulumi.Config()
kubeconfig = config.require_secret("kubeconfig")
provider = k8s.Provider("cluster", kubeconfig=kubeconfig)
leak = config.require_secret("leak")
args = dict(config.require_object("service"))
args["env"] = {"DATABASE_URL": leak}
args["container_args"] = ["--dsn", leak]
args["annotations"] = {"example.com/token": leak}
args["kubeconfig"] = kubeconfig
service = WebService(
    config.get("name") or "web", args, pulumi.ResourceOptions(providers=[provider])
)
pulumi.export("deployment_name", service.deployment_name)
if service.live_color is not None:
    pulumi.export("live_color", service.live_color)
