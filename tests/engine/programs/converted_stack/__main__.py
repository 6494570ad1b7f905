"""Test program: a converted stack config deployed as the stack program deploys it, on an
existing cluster.

Config: the ``moorage:`` keys of a stack file that ``python -m moorage convert`` wrote
(read by the stack program's own parser and ``application_args``), and
``convert:kubeconfig`` (secret): the cluster to deploy to, instead of one the stack
creates. ``moorage:serviceSecrets`` as the user sets them (``--secret --path``).
"""

import pulumi
import pulumi_kubernetes as k8s
from moorage import Application
from moorage._program import _application_secrets, _raw_config, application_args
from moorage._stack_config import parse_stack_settings

raw = {k: v for k, v in _raw_config().items() if k.startswith("moorage:")}
settings = parse_stack_settings(raw)
args, _ = application_args(settings, _application_secrets(settings))
provider = k8s.Provider("cluster", kubeconfig=pulumi.Config("convert").require_secret("kubeconfig"))
application = Application(pulumi.get_stack(), args, pulumi.ResourceOptions(providers=[provider]))
pulumi.export("urls", application.urls)
