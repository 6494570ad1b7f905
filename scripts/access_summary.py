"""What scripts/print-access prints about the services of a stack (pure, tested).

- :func:`example_service`: the service the port-forward example uses: an HTTP(S) one,
  never a gRPC or TCP service a browser or curl cannot talk to;
- :func:`load_balancer_addresses`: every LoadBalancer Service's external address.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

HTTP_SCHEMES = ("http://", "https://")


def example_service(services: Mapping[str, Mapping[str, Any]]) -> tuple[str, str, str] | None:
    """(namespace, Service name, port) of the first HTTP(S) service by name, or None."""
    for _, service in sorted(services.items()):
        url = str(service.get("url") or "")
        if url.startswith(HTTP_SCHEMES):
            return str(service["namespace"]), str(service["service_name"]), url.rsplit(":", 1)[-1]
    return None


def load_balancer_addresses(services: Iterable[Any]) -> list[str]:
    """ "namespace/name  address:port" for every LoadBalancer Service (kubernetes client
    objects); "(pending)" until the cloud assigns an address."""
    lines = []
    for svc in services:
        if svc.spec.type != "LoadBalancer":
            continue
        ingress = (svc.status.load_balancer.ingress if svc.status.load_balancer else None) or []
        hosts = [i.hostname or i.ip for i in ingress if i.hostname or i.ip]
        ports = ",".join(str(p.port) for p in svc.spec.ports or [])
        where = ", ".join(f"{h}:{ports}" for h in hosts) or "(pending)"
        lines.append(f"{svc.metadata.namespace}/{svc.metadata.name}  {where}")
    return lines


def main(argv: list[str]) -> int:
    """``access_summary.py example`` (services JSON on stdin) or ``... load-balancers
    KUBECONFIG_FILE``."""
    if argv[:1] == ["example"]:
        found = example_service(json.load(sys.stdin))
        print(" ".join(found) if found else "")
        return 0
    if argv[:1] == ["load-balancers"] and len(argv) == 2:
        from kubernetes import client, config

        api = config.new_client_from_config(config_file=argv[1])
        try:
            services = client.CoreV1Api(api).list_service_for_all_namespaces(_request_timeout=10)
        except Exception:  # the cluster is unreachable: print no addresses
            return 0
        for line in load_balancer_addresses(services.items):
            print(line)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
