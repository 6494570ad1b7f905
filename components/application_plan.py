"""The validated plan of an Application: its namespaces and its services, in the order
they are created, and the values a service waits for until another resource exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from .application_identity import ServiceIdentity


@dataclass(frozen=True)
class NamespacePlan:
    name: str
    labels: pulumi.Input[dict[str, Any]]
    """The user's labels, checked (an Output when given as one)."""
    annotations: pulumi.Input[dict[str, Any]]
    """The annotations, checked (an Output when given as one)."""
    pod_security: str
    retain_on_delete: bool


class Deferred:
    """An Output whose value is given later (:func:`pulumi.deferred_output`).

    If the program fails before the value exists, :meth:`give_stand_in` settles it, so
    nothing waits for it for ever (the engine waits for every pending Output).
    """

    def __init__(self, stand_in: Any) -> None:
        self.output, self._resolve = pulumi.deferred_output()  # type: ignore[var-annotated]
        self._stand_in = stand_in
        self._given = False

    def give(self, value: pulumi.Input[Any]) -> None:
        """The real value, once it exists."""
        self._given = True
        self._resolve(pulumi.Output.from_input(value))

    def give_stand_in(self) -> None:
        """The stand-in, unless the real value was given."""
        if not self._given:
            self.give(self._stand_in)


@dataclass(frozen=True)
class ServicePlan:
    name: str
    namespace: str
    shared_namespace: str | None
    """The declared namespace the service runs in, or None (its own or an existing one)."""
    args: dict[str, Any]
    """The WebServiceArgs the service is created with (its spec is built from them once)."""
    refs: dict[str, tuple[str, str]]
    """Environment variable -> (referenced service, one of REF_VALUES)."""
    deferred_refs: dict[str, Deferred]
    """Environment variable -> its value, given once the referenced service exists."""
    deferred_namespace: Deferred | None
    """``namespace``, given once the declared Namespace exists (shared namespaces only)."""
    no_wait: frozenset[str] = frozenset()
    """The variables whose referenced service is not waited for."""
    identity: ServiceIdentity | None = None
    """The cloud identity created for the service's ServiceAccount, if any."""
    deferred_google_account: Deferred | None = None
    """GKE: the Google service account's e-mail (the ServiceAccount's annotation)."""

    def deferred(self) -> list[Deferred]:
        return (
            [*self.deferred_refs.values()]
            + ([self.deferred_namespace] if self.deferred_namespace else [])
            + ([self.deferred_google_account] if self.deferred_google_account else [])
        )


@dataclass(frozen=True)
class ApplicationPlan:
    """The validated Application: namespaces, and the services in creation order."""

    namespaces: dict[str, NamespacePlan]
    services: list[ServicePlan]
    cloud: str | None = None
    """The cloud the identities were checked for (None: no cluster given)."""
    pending_checks: tuple[pulumi.Output[Any], ...] = ()
    """The checks of the Application's own Output values (namespace labels and
    annotations): every child waits for them all."""

    def release(self) -> None:
        """Settle every value still waiting for a resource (the program failed first)."""
        for service in self.services:
            for deferred in service.deferred():
                deferred.give_stand_in()
