"""Test program: one WebService from stack config, with a user's Pulumi transform.

Config: ``kubeconfig`` (secret), ``name``, ``service`` (WebServiceArgs as JSON). The
transform labels every child ``team: payments``: Pulumi transforms on the component reach
every object it creates, like the component's own ``patches``.
"""

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from moorage import WebService


def team_label(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    if not args.type_.startswith("kubernetes:") or "metadata" not in args.props:
        return None
    props: dict[str, Any] = dict(args.props)
    metadata = dict(props["metadata"])
    metadata["labels"] = {**(metadata.get("labels") or {}), "team": "payments"}
    props["metadata"] = metadata
    return pulumi.ResourceTransformResult(props=props, opts=args.opts)


config = pulumi.Config()
provider = k8s.Provider("cluster", kubeconfig=config.require_secret("kubeconfig"))
service = WebService(
    config.get("name") or "web",
    dict(config.require_object("service")),  # type: ignore[arg-type]
    pulumi.ResourceOptions(providers=[provider], transforms=[team_label]),
)
pulumi.export("namespace", service.namespace)
