"""Which values of the stack config are secret, and keeping them secret.

The engine hands the program its whole config decrypted (``PULUMI_CONFIG``) and marks
whole top-level keys secret (``PULUMI_CONFIG_SECRET_KEYS``), without saying which path
inside a key was set with ``--secret``. The stack file says it: a value set with
``pulumi config set --secret --path 'moorage:services.web.env.API_KEY' ...`` is stored
there as ``{secure: v1:...}`` at that path. :func:`find_secret_leaves` reads those paths
and checks them against the decrypted config; the program then validates plain values
(errors at a secret path show ``[secret]``) and hands every secret leaf to the components
as ``pulumi.Output.secret``, so it stays a secret in every resource and in the state.

When the secret paths of a key cannot be told (no stack file, one that does not match
the config the engine passed, or a key set secret as a whole), the key is refused
rather than guessed: its values would otherwise reach resources in plain text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml

from ._errors import REDACTED, ValidationError

ConfigPath = tuple[str | int, ...]
"""Steps into a config value: mapping keys and list indexes (``("web", "env", "KEY")``)."""

NAMESPACE = "moorage"
STACK = "stack config"
SECRET_CAPABLE_KEYS = ("services", "service", "namespaces", "cluster")
"""The ``moorage:`` keys whose values may be secret at any path (``serviceSecrets`` is
secret as a whole, by its own code)."""
WHOLE_SECRET_KEYS = ("serviceSecrets",)
"""Keys read through the SDK's secret config API: every value in them is a secret."""
PLAIN_ONLY_FIELDS = ("config",)
"""WebServiceArgs fields whose values land in a ConfigMap: plain text in the cluster."""


@dataclass(frozen=True)
class SecretLeaves:
    """The secret values of a stack config: per ``moorage:`` key, the paths of its leaves
    set with ``--secret``, and their plain values (kept only to redact errors)."""

    paths: Mapping[str, tuple[ConfigPath, ...]] = field(default_factory=dict)
    values: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any(self.paths.values())

    def under(self, key: str) -> tuple[ConfigPath, ...]:
        """The secret paths inside ``moorage:<key>``."""
        return self.paths.get(key, ())

    def renamed(self, old: str, new: str, prefix: ConfigPath) -> SecretLeaves:
        """The same leaves with ``moorage:<old>`` read as ``moorage:<new>`` under ``prefix``
        (the one-service shorthand as the one-entry services map)."""
        paths = {k: v for k, v in self.paths.items() if k != old}
        if self.under(old):
            paths[new] = tuple((*prefix, *p) for p in self.under(old))
        return SecretLeaves(paths, self.values)

    def redact(self, error: ValidationError) -> ValidationError:
        """``error`` with a secret value shown as ``[secret]`` (the field at or around a
        secret path, or a secret's text anywhere in the message)."""
        touches = any(_related(error.field, key(k, p)) for k, ps in self.paths.items() for p in ps)
        leaked = [v for v in self.values if v and v in str(error)]
        if not touches and not leaked:
            return error
        rule = error.rule
        for value in leaked:
            rule = rule.replace(value, REDACTED)
        return ValidationError(error.component, error.field, None, rule, secret=True)


NO_SECRETS = SecretLeaves()


def key(name: str, path: ConfigPath = ()) -> str:
    """The config key of ``path`` in ``moorage:<name>``, as errors name fields:
    ``moorage:services.web.sidecars[0].env.TOKEN``."""
    text = f"{NAMESPACE}:{name}"
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return text


def _related(field_name: str, secret_key: str) -> bool:
    """Whether the field is the secret path, inside it or holds it."""
    if field_name == secret_key:
        return True
    inner, outer = (field_name, secret_key), (secret_key, field_name)
    return any(a.startswith(b + sep) for a, b in (inner, outer) for sep in (".", "["))


# -- the stack file ----------------------------------------------------------------------


def stack_file_config(root: str | Path, stack: str) -> Mapping[str, Any] | None:
    """The ``config`` of ``Pulumi.<stack>.yaml`` in the project's ``stackConfigDir``, as
    stored (secret values still ``{secure: ...}``); None when there is none to read."""
    try:
        project = yaml.safe_load((Path(root) / "Pulumi.yaml").read_text()) or {}
        directory = Path(root) / str(project.get("stackConfigDir") or ".")
        document = yaml.safe_load((directory / f"Pulumi.{stack}.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError, ValueError, RecursionError):
        return None
    config = document.get("config") if isinstance(document, dict) else None
    return config if isinstance(config, dict) else None


def project_root(start: str | Path) -> Path | None:
    """The nearest directory from ``start`` up that holds a ``Pulumi.yaml``."""
    for directory in (Path(start), *Path(start).parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    return None


def program_stack_config() -> Mapping[str, Any] | None:
    """The running stack's file (:func:`stack_file_config`). The project root is the one
    the engine names, else the nearest ``Pulumi.yaml`` up from the working directory (the
    engine runs a program in its ``main`` directory, inside the project)."""
    root = pulumi.get_root_directory() or project_root(os.getcwd())
    return stack_file_config(root, pulumi.get_stack()) if root else None


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def secure_paths(stored: Any, path: ConfigPath = ()) -> Iterator[ConfigPath]:
    """The paths of the ``{secure: ...}`` values in a stored config value."""
    if _is_secure(stored):
        yield path
    elif isinstance(stored, dict):
        for k, v in stored.items():
            yield from secure_paths(v, (*path, str(k)))
    elif isinstance(stored, list):
        for i, v in enumerate(stored):
            yield from secure_paths(v, (*path, i))


def masked(stored: Any, shown: str = REDACTED) -> Any:
    """A stored config value with every ``{secure: ...}`` value replaced by ``shown``."""
    if _is_secure(stored):
        return shown
    if isinstance(stored, dict):
        return {k: masked(v, shown) for k, v in stored.items()}
    if isinstance(stored, list):
        return [masked(v, shown) for v in stored]
    return stored


def _matches(stored: Any, passed: Any) -> bool:
    """Whether the stored value has the shape and plain values of the decrypted one."""
    if _is_secure(stored):
        return not isinstance(passed, (dict, list))
    if isinstance(stored, dict):
        return (
            isinstance(passed, dict)
            and set(map(str, stored)) == set(passed)
            and all(_matches(v, passed[str(k)]) for k, v in stored.items())
        )
    if isinstance(stored, list):
        return (
            isinstance(passed, list)
            and len(stored) == len(passed)
            and all(_matches(s, p) for s, p in zip(stored, passed, strict=True))
        )
    return bool(stored == passed or str(stored) == str(passed))


def _at(value: Any, path: ConfigPath) -> Any:
    for step in path:
        value = value[step]
    return value


def _refused(name: str, why: str) -> ValidationError:
    return ValidationError(
        STACK,
        key(name),
        None,
        f"holds a secret value (set with --secret), but {why}; set each secret value on its "
        f"own with --secret --path (pulumi config set --secret --path "
        f"'{key(name)}.<path>' ...), or put it in moorage:serviceSecrets",
        secret=True,
    )


def find_secret_leaves(
    raw: Mapping[str, str],
    secret_keys: Collection[str],
    stored: Mapping[str, Any] | None,
) -> SecretLeaves:
    """Where the secret values of the ``moorage:`` keys that ``secret_keys`` marks are.

    ``raw`` is the config as the engine passed it (decrypted), ``stored`` the stack
    file's ``config`` (None when there is none). Raises ValidationError, never echoing a
    value, for a secret key whose secret paths cannot be told.
    """
    paths: dict[str, tuple[ConfigPath, ...]] = {}
    values: list[str] = []
    for full in sorted(secret_keys):
        if not full.startswith(f"{NAMESPACE}:"):
            continue
        name = full.removeprefix(f"{NAMESPACE}:")
        if name in WHOLE_SECRET_KEYS or full not in raw:
            continue
        if name not in SECRET_CAPABLE_KEYS:
            raise _refused(name, "this key decides what is created and cannot be a secret")
        passed = _decoded(raw[full])
        found = _stored_paths(stored, full, passed)
        if found is None:
            raise _refused(
                name,
                "the program cannot tell which of its values are secret (no stack file "
                f"Pulumi.{pulumi.get_stack()}.yaml in the project's stackConfigDir that "
                "matches the config the engine passed)",
            )
        if () in found:
            raise _refused(name, "the whole key is secret, so every field of it would be")
        paths[name] = found
        values += [_text(_at(passed, p)) for p in found]
    return SecretLeaves(paths, tuple(values))


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _stored_paths(
    stored: Mapping[str, Any] | None, full: str, passed: Any
) -> tuple[ConfigPath, ...] | None:
    """The secure paths of ``full`` in the stack file, or None when it does not match."""
    if stored is None or full not in stored:
        return None
    value = stored[full]
    found = tuple(secure_paths(value))
    if not found or not (_is_secure(value) or _matches(value, passed)):
        return None
    return found


# -- into the components -----------------------------------------------------------------


def as_secret(value: Any) -> Any:
    """A leaf as a Pulumi secret."""
    return value if isinstance(value, pulumi.Output) else pulumi.Output.secret(value)


def wrapped(
    value: Any,
    paths: Collection[ConfigPath],
    name: str,
    make: Callable[[Any], Any] = as_secret,
) -> Any:
    """A copy of ``value`` (``moorage:<name>``, or a part of it) whose leaf at each of
    ``paths`` is ``make(leaf)``, a ``pulumi.Output.secret`` by default; only the mappings
    and lists on those paths are copied. A path that is not there is an error: the
    value would otherwise go on in plain text."""
    for path in paths:
        value = _wrap_one(value, path, path, name, make)
    return value


def _wrap_one(
    value: Any, path: ConfigPath, whole: ConfigPath, name: str, make: Callable[[Any], Any]
) -> Any:
    if not path:
        return make(value)
    step, rest = path[0], path[1:]
    if isinstance(value, Mapping) and step in value:
        return {**value, step: _wrap_one(value[step], rest, whole, name, make)}
    if isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
        copy = list(value)
        copy[step] = _wrap_one(copy[step], rest, whole, name, make)
        return copy
    raise ValidationError(
        STACK,
        key(name, whole),
        None,
        "holds a secret value (set with --secret) where Moorage cannot keep it secret; "
        "set it without --secret, or put it in moorage:serviceSecrets",
        secret=True,
    )
