"""Write the conversion out: a stack config (``moorage:services``) or a Python program.

Both carry the same services; neither holds a secret value (the report prints the
``pulumi config set --secret`` commands, values elided).
"""

from __future__ import annotations

import json
import pprint
from collections.abc import Mapping
from typing import Any

import yaml

from ._mapping import Converted

SECRET_COMMAND = "pulumi config set --stack {stack} --secret --path '{key}' -- <{what}>"


def stack_config(converted: Converted) -> dict[str, Any]:
    """The ``config`` of a stack file for the converted services (cloud local)."""
    config: dict[str, Any] = {
        "pulumi:disable-default-providers": ["kubernetes"],
        "moorage:cloud": "local",
        "moorage:cluster": {"runtime": "auto", "nodes": 3},
    }
    if converted.namespaces:
        config["moorage:namespaces"] = converted.namespaces
    config["moorage:services"] = {name: s.args for name, s in converted.services.items()}
    return config


def stack_yaml(config: Mapping[str, Any], sources: list[str]) -> str:
    """A stack file (``stacks/Pulumi.<stack>.yaml``) holding ``config``."""
    header = (
        f"# Converted by `python -m moorage convert` from {', '.join(sources)}.\n"
        "# Secret values are not here: run the `pulumi config set --secret` commands the\n"
        "# conversion printed. `make explain STACK=<stack>` shows every effective setting.\n"
    )
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = yaml.dump({"config": dict(config)}, Dumper=dumper, sort_keys=False, width=100)
    return header + body


def secret_commands(converted: Converted, stack: str) -> list[str]:
    """One ``pulumi config set --secret`` command per secret key, the value elided."""
    out = []
    for name, service in converted.services.items():
        for use in service.secret_uses:
            key = f"moorage:serviceSecrets.{name}.{use.variable}"
            what = f"value of key {use.key} of Secret {service.namespace}/{use.secret}"
            out.append(SECRET_COMMAND.format(stack=stack, key=key, what=what))
    return out


def python_program(config: Mapping[str, Any], secret_keys: Mapping[str, list[str]]) -> str:
    """A Pulumi program (``__main__.py``) deploying the services with ``moorage.Application``
    on a local cluster; secrets read from ``serviceSecrets`` in the project's config."""
    from .._stack_config import parse_stack_settings

    raw = {
        k: v if isinstance(v, str) else json.dumps(v)
        for k, v in config.items()
        if k.startswith("moorage:")
    }
    app = parse_stack_settings(raw).application
    services = {name: dict(args) for name, args in app.services.items()}
    for args in services.values():
        if args.get("env") == {}:
            del args["env"]
    lines = [
        '"""Converted by `python -m moorage convert`: the services as one moorage.Application.',
        "",
        "Set each secret first (the conversion printed the commands), e.g.",
        "    pulumi config set --secret --path 'serviceSecrets.<service>.<KEY>' -- <value>",
        '"""',
        "",
        "import pulumi",
        "from moorage import Application, LocalCluster",
        "",
        'cluster = LocalCluster("local", {"runtime": "auto", "nodes": 3})',
        "config = pulumi.Config()",
        "",
        f"services = {pprint.pformat(services, width=96, sort_dicts=False)}",
        "",
    ]
    if any(secret_keys.values()):
        lines += ['secrets = config.require_secret_object("serviceSecrets")']
        for name, keys in secret_keys.items():
            if not keys:
                continue
            lines.append(f"services[{name!r}]['secrets'] = {{")
            for key in keys:
                lines.append(f"    {key!r}: secrets.apply(lambda s: str(s[{name!r}][{key!r}])),")
            lines.append("}")
        lines.append("")
    lines += [
        "app = Application(",
        '    "app",',
        "    {",
        f'        "namespaces": {pprint.pformat(app.namespaces, sort_dicts=False)},',
        '        "services": services,',
        f'        "service_refs": {pprint.pformat(app.service_refs, sort_dicts=False)},',
        "    },",
        "    pulumi.ResourceOptions(providers=[cluster.provider]),",
        ")",
        'pulumi.export("urls", app.urls)',
        "",
    ]
    return "\n".join(lines)
