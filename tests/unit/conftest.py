"""Pulumi mocks for fast unit tests, isolated per test.

``mocks.run(fn)`` runs ``fn`` as a Pulumi program under mocks, waits for every
registration and Output to settle, and returns what ``fn`` returned, so tests can
assert on ``mocks.resources`` with plain ``assert`` statements.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pulumi
import pytest
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

T = TypeVar("T")

CallHandler = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]


@dataclass
class Registered:
    """One resource as the mock monitor saw it."""

    typ: str
    name: str
    inputs: dict[str, Any]
    provider: str
    parent: str
    """URN of the parent resource (the stack for top-level resources)."""

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self.inputs.get("metadata") or {})


@dataclass
class RecordingMocks(pulumi.runtime.Mocks):
    """Records every resource registration; emulates Kubernetes auto-naming."""

    call_handler: CallHandler | None = None
    resources: list[Registered] = field(default_factory=list)
    parents: dict[tuple[str, str], str] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        if args.typ.startswith("kubernetes:") and args.typ != "pulumi:providers:kubernetes":
            metadata = dict(outputs.get("metadata") or {})
            metadata.setdefault("name", f"{args.name}-{next(self._ids):05x}")
            outputs["metadata"] = metadata
        self.resources.append(
            Registered(
                typ=args.typ,
                name=args.name,
                inputs=dict(args.inputs),
                provider=args.provider,
                parent=self.parents.get((args.typ, args.name), ""),
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


class _ParentRecordingMonitor(MockMonitor):
    """Mock monitor that remembers each resource's parent URN."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self._recording = mocks

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self._recording.parents[(request.type, request.name)] = request.parent
        return super().RegisterResource(request)


def _reset_runtime() -> None:
    pulumi_settings.ROOT.set(None)
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_settings.SETTINGS.outputs.clear()


@pytest.fixture
def make_mocks() -> Iterator[Callable[..., RecordingMocks]]:
    """Factory: ``make_mocks(call_handler=..., config={...}, preview=False)``."""

    def factory(
        call_handler: CallHandler | None = None,
        config: Mapping[str, str] | None = None,
        preview: bool = False,
        stack: str = "test",
    ) -> RecordingMocks:
        _reset_runtime()
        mocks = RecordingMocks(call_handler=call_handler)
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
