"""Pulumi mocks for fast unit tests, isolated per test.

``mocks.run(fn)`` runs ``fn`` as a Pulumi program under mocks, waits for every
registration and Output to settle, and returns what ``fn`` returned, so tests can
assert on ``mocks.resources`` with plain ``assert`` statements.

``make_mocks(resource_outputs=fn)`` adds the outputs a cloud would compute (ARNs,
endpoints) to what the mocks echo back; each ``Registered`` also keeps the options
of its RegisterResource request (``ignore_changes``, ``dependencies``). Wrap a value
in ``AsOutput`` to pass it as a ``pulumi.Output`` (see ``with_outputs``).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pulumi
import pytest
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

T = TypeVar("T")

SECRET_TYPE = "kubernetes:core/v1:Secret"


def resource_version_for(stack: str, name: str, inputs: Mapping[str, Any]) -> str:
    """The resourceVersion the mocks give a Secret, as the API server does: a new one
    whenever what is written changes (here: per stack, name and inputs), the same one
    while nothing does."""
    digest = hashlib.sha256(f"{stack}/{name}/{sorted(inputs.items())!r}".encode()).digest()
    return str(int.from_bytes(digest[:4], "big"))


CallHandler = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]
ResourceOutputs = Callable[[pulumi.runtime.MockResourceArgs], Mapping[str, Any]]
"""Outputs a cloud would compute for a resource (ARNs, endpoints): merged over the echoed
inputs, so the component under test can read them."""


@dataclass
class Registered:
    """One resource as the mock monitor saw it."""

    typ: str
    name: str
    inputs: dict[str, Any]
    provider: str
    parent: str
    """URN of the parent resource (the stack for top-level resources)."""
    ignore_changes: list[str] = field(default_factory=list)
    """Properties the engine is told to ignore (``ignore_changes``), as in the request."""
    dependencies: list[str] = field(default_factory=list)
    """URNs this resource waits for (``depends_on`` and the resources its inputs come
    from), as in the RegisterResource request."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """What the mocks answered: the echoed inputs plus computed outputs."""

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self.inputs.get("metadata") or {})

    def depends_on(self, typ: str, name: str) -> bool:
        """Whether this resource waits for the resource of type ``typ`` named ``name``."""
        return any(urn.endswith(f"{typ}::{name}") for urn in self.dependencies)


@dataclass
class RecordingMocks(pulumi.runtime.Mocks):
    """Records every resource registration; emulates Kubernetes auto-naming."""

    call_handler: CallHandler | None = None
    resources: list[Registered] = field(default_factory=list)
    parents: dict[tuple[str, str], str] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=itertools.count)
    outputs_for: ResourceOutputs | None = None
    """Optional: computed outputs of each resource, added to the echoed inputs."""
    requests: dict[tuple[str, str], Any] = field(default_factory=dict)
    """The raw RegisterResource request of each resource, by (type, name)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        if args.typ.startswith("kubernetes:") and args.typ != "pulumi:providers:kubernetes":
            metadata = dict(outputs.get("metadata") or {})
            metadata.setdefault("name", f"{args.name}-{next(self._ids):05x}")
            outputs["metadata"] = metadata
        if args.typ == "pulumi:pulumi:StackReference":
            # Like the engine: a stack with no outputs yet reads as an empty map.
            outputs.setdefault("outputs", {})
            outputs.setdefault("secretOutputNames", [])
        if args.typ == SECRET_TYPE:
            outputs["metadata"]["resourceVersion"] = resource_version_for(
                pulumi.get_stack(), args.name, args.inputs
            )
        if self.outputs_for is not None:
            outputs.update(self.outputs_for(args))
        request = self.requests.get((args.typ, args.name))
        self.resources.append(
            Registered(
                typ=args.typ,
                name=args.name,
                inputs=dict(args.inputs),
                provider=args.provider,
                parent=self.parents.get((args.typ, args.name), ""),
                ignore_changes=list(request.ignoreChanges) if request is not None else [],
                dependencies=list(request.dependencies) if request is not None else [],
                outputs=outputs,
            )
        )
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        arguments = dict(args.args)
        self.calls.append((args.token, arguments))
        if self.call_handler is None:
            return {}, []
        return dict(self.call_handler(args.token, arguments)), []

    # -- running programs -------------------------------------------------

    def run(self, program: Callable[[], T]) -> T:
        """Run ``program`` under these mocks and wait until everything settled."""
        result: list[T] = []
        _sync_await(run_pulumi_func(lambda: result.append(program())))
        return result[0]

    def settle(self, output: pulumi.Input[T]) -> T:
        """Resolve an Output (after a ``run``) to its plain value."""
        return _sync_await(pulumi.Output.from_input(output).future())  # type: ignore[arg-type]

    # -- queries ------------------------------------------------------------

    def of_type(self, typ: str) -> list[Registered]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str) -> Registered:
        found = self.of_type(typ)
        assert len(found) == 1, f"expected one {typ}, got {[r.name for r in found]}"
        return found[0]

    def children_of(self, parent_urn_suffix: str) -> list[Registered]:
        return [r for r in self.resources if r.parent.endswith(parent_urn_suffix)]

    def named(self, name: str) -> Registered:
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, f"expected one resource named {name}, got {len(found)}"
        return found[0]

    def inputs_by_resource(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The inputs of every resource, by (type, name): compare two runs with it."""
        return {(r.typ, r.name): r.inputs for r in self.resources}

    def resource(self, typ: str, name: str) -> Registered:
        """The one resource of type ``typ`` named ``name``."""
        found = [r for r in self.resources if r.typ == typ and r.name == name]
        assert len(found) == 1, f"expected one {typ} named {name}, got {len(found)}"
        return found[0]


class _ParentRecordingMonitor(MockMonitor):
    """Mock monitor that remembers each resource's parent URN and raw request."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self._recording = mocks
        self._one_at_a_time = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:
        # The SDK registers from worker threads: two resources of the same type and name
        # (under different parents) must not see each other's request.
        with self._one_at_a_time:
            self._recording.parents[(request.type, request.name)] = request.parent
            self._recording.requests[(request.type, request.name)] = request
            return super().RegisterResource(request)


@dataclass(frozen=True)
class AsOutput:
    """Marks a value in test Args that should reach the component as a ``pulumi.Output``.

    Outputs can only be made while a program runs, so parametrized Args carry this
    marker and ``with_outputs`` swaps it for ``pulumi.Output.from_input(value)``
    inside the program.
    """

    value: Any


def with_outputs(value: Any) -> Any:
    """``value`` with every ``AsOutput`` in it (in dicts, lists, tuples) made an Output.

    Call it inside ``mocks.run``: ``mocks.run(lambda: Component(name, with_outputs(args)))``.
    """
    if isinstance(value, AsOutput):
        return pulumi.Output.from_input(value.value)
    if isinstance(value, Mapping):
        return {key: with_outputs(item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_outputs(item) for item in value]
    if isinstance(value, tuple):
        return tuple(with_outputs(item) for item in value)
    return value


def with_output_at(args: Mapping[str, Any], path: str) -> dict[str, Any]:
    """A copy of ``args`` whose value at ``path`` is wrapped in ``AsOutput``.

    ``path`` names a field the way a ValidationError does: ``region``,
    ``node_group.min_size`` (a nested mapping) or ``public_access_cidrs[0]`` (a list item).
    """
    copy = dict(args)
    head, _, rest = path.partition(".")
    if rest:
        copy[head] = with_output_at(copy[head], rest)
        return copy
    key, bracket, index = head.partition("[")
    if not bracket:
        copy[key] = AsOutput(copy[key])
        return copy
    items = list(copy[key])
    position = int(index.rstrip("]"))
    items[position] = AsOutput(items[position])
    copy[key] = items
    return copy


def _reset_runtime() -> None:
    pulumi_settings.ROOT.set(None)
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_settings.SETTINGS.outputs.clear()


KWOK_TOOLS = (
    "kwokctl",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
    "etcd",
)


@pytest.fixture
def kwok_tools_on_path(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Stand-ins for kwokctl and the control plane, first on PATH, with no tools dir set.

    LocalCluster checks its tools before it registers the cluster; under mocks nothing runs them.
    """
    bin_dir = tmp_path_factory.mktemp("kwok-tools")
    for name in KWOK_TOOLS:
        tool = bin_dir / name
        tool.write_text("#!/bin/sh\nexit 1\n")
        tool.chmod(0o755)
    monkeypatch.delenv("MOORAGE_TOOLS_BIN", raising=False)
    monkeypatch.setenv("PATH", os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]))
    return bin_dir


@pytest.fixture
def make_mocks() -> Iterator[Callable[..., RecordingMocks]]:
    """Factory: ``make_mocks(call_handler=..., config={...}, preview=False)``.

    ``resource_outputs`` (optional) returns the outputs a cloud would compute for a
    resource; they are merged over the echoed inputs.
    """

    def factory(
        call_handler: CallHandler | None = None,
        config: Mapping[str, str] | None = None,
        preview: bool = False,
        stack: str = "test",
        resource_outputs: ResourceOutputs | None = None,
    ) -> RecordingMocks:
        _reset_runtime()
        mocks = RecordingMocks(call_handler=call_handler, outputs_for=resource_outputs)
        pulumi.runtime.set_all_config(dict(config or {}))
        pulumi.runtime.set_mocks(
            mocks,
            project="moorage",
            stack=stack,
            preview=preview,
            monitor=_ParentRecordingMonitor(mocks),
        )
        return mocks

    yield factory
    _reset_runtime()
    pulumi.runtime.set_all_config({})


@pytest.fixture
def mocks(make_mocks: Callable[..., RecordingMocks]) -> RecordingMocks:
    """Fresh mocks with no call handler and no config."""
    return make_mocks()
