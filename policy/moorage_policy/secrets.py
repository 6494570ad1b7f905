"""Secret values written into a container's environment as plain text.

A literal ``env[].value`` lands in the Deployment spec, the Pulumi state, every
``kubectl get -o yaml`` and every rendered manifest. Secrets belong in a Secret,
referenced with ``valueFrom.secretKeyRef`` (what WebService does with ``secrets``).

Two heuristics, either one is a violation:

- the variable's *name* says secret (``DB_PASSWORD``, ``API_TOKEN``, ``SIGNING_KEY``)
  and its value is a non-trivial literal;
- the *value* has the shape of a credential (a private key, a JWT, a GitHub or Slack
  token, an AWS access key id, a URL with a password), whatever the name.

pulumi-policy hands a policy the plain text of Pulumi secrets, without marking them,
so a Pulumi secret in ``value`` is caught by these same heuristics.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from moorage_policy.props import Finding, is_unknown, items
from moorage_policy.workloads import containers

SECRET_WORDS = frozenset(
    {"PASSWORD", "PASSWD", "SECRET", "SECRETS", "TOKEN", "KEY", "APIKEY", "CREDENTIALS"}
)
"""A name part (split on ``_``, ``-`` and ``.``) that marks a variable as secret."""

SECRET_SUBSTRINGS = ("PASSWORD", "SECRET", "TOKEN", "APIKEY", "PRIVATEKEY")
"""Marks a name as secret even inside a longer word (``DBPASSWORD``)."""

NON_SECRET_SUFFIXES = frozenset(
    {
        "FILE", "PATH", "DIR", "URL", "URI", "NAME", "ID", "ARN", "REF", "TTL", "SECONDS",
        "TIMEOUT", "LENGTH", "SIZE", "HEADER", "ENABLED", "TYPE", "FORMAT", "VERSION",
    }
)  # fmt: skip
"""A last name part that says the value is *about* a secret, not the secret itself."""

CREDENTIAL_SHAPES = {
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "a JSON Web Token": re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"),
    "a GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    "a Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "an AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a URL with a password": re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.I),
}

_TRIVIAL = re.compile(r"^(?:-?\d+(?:\.\d+)?|true|false|yes|no|on|off|none|null)$", re.I)


def secret_like_name(name: str) -> bool:
    """True for names such as ``DB_PASSWORD``, ``apiToken`` or ``SIGNING_KEY``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)  # camelCase -> camel_Case
    parts = [p for p in re.split(r"[_.\-]+", spaced.upper()) if p]
    if not parts or parts[-1] in NON_SECRET_SUFFIXES:
        return False
    joined = "".join(parts)
    return bool(SECRET_WORDS.intersection(parts)) or any(s in joined for s in SECRET_SUBSTRINGS)


def credential_shape(value: str) -> str | None:
    """What kind of credential ``value`` looks like, or None."""
    for kind, pattern in CREDENTIAL_SHAPES.items():
        if pattern.search(value):
            return kind
    return None


def env_value_problem(name: Any, value: Any, allowed_names: Collection[str] = ()) -> str | None:
    """Why a literal env variable looks like a secret, or None."""
    if not isinstance(name, str) or not isinstance(value, str) or is_unknown(value):
        return None
    if name in allowed_names:
        return None
    kind = credential_shape(value)
    if kind:
        return f'env "{name}" holds {kind} as a literal value'
    if secret_like_name(name) and value.strip() and not _TRIVIAL.match(value.strip()):
        return f'env "{name}" looks like a secret but has a literal value'
    return None


def check_env_secrets(
    props: Mapping[str, Any], allowed_names: Collection[str] = ()
) -> list[Finding]:
    """No secret-looking literal ``value`` in any container's ``env``."""
    findings = []
    for c in containers(props):
        for variable in items(c.spec.get("env")):
            if not isinstance(variable, Mapping):
                continue
            problem = env_value_problem(variable.get("name"), variable.get("value"), allowed_names)
            if problem:
                findings.append(
                    Finding(
                        f"{c.label}: {problem}",
                        "put it in a Kubernetes Secret and reference it with valueFrom."
                        "secretKeyRef (WebService: `secrets`, set with `pulumi "
                        "config set --secret`); if it is not a secret, add the name to this "
                        "policy's allowedNames config",
                    )
                )
    return findings
