"""LoadBalancer Services open to every address: warned of by the component.

The rule is the one the stack setting ``requireLoadBalancerAllowList`` and the policy
pack apply (:func:`moorage._rules.load_balancer_exposure`): a LoadBalancer needs source
ranges, and a range that allows every address (``0.0.0.0/0``, ``::/0``) is none. Where
the stack does not require the allow-list, the component says so in a warning, for the
main Service and every ``extra_services`` entry, unless the Service is annotated as
public on purpose.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi

from .. import _rules as rule
from .._errors import REDACTED
from .._fields import is_deferred
from ._ports import ServicesSpec, extra_service_name

Warn = Callable[[str], None]


def warn_open_load_balancers(
    component: str, spec: ServicesSpec, annotations: Mapping[str, Any], warn: Warn
) -> None:
    """Warn of each LoadBalancer Service that every address may reach; values that are
    Outputs are looked at once they resolve (never echoing a secret). ``annotations`` are
    the ones every object of the service carries (``annotations``)."""
    found: list[tuple[str, str, pulumi.Input[str], Sequence[Any], Mapping[str, Any]]] = []
    if spec.has_service:
        found.append(
            (
                spec.name,
                "load_balancer_source_ranges",
                spec.type,
                spec.load_balancer_source_ranges,
                {**annotations, **spec.annotations},
            )
        )
    found += [
        (
            extra_service_name(spec, extra),
            f"extra_services[{i}].load_balancer_source_ranges",
            extra.type,
            extra.load_balancer_source_ranges,
            {**annotations, **extra.annotations},
        )
        for i, extra in enumerate(spec.extra)
    ]
    for service, field, kind, ranges, service_annotations in found:
        values = [kind, service_annotations.get(rule.PUBLIC_LOAD_BALANCER_ANNOTATION), *ranges]
        if not any(is_deferred(v) for v in values):
            _look(component, service, field, values, False, warn)
            continue
        _look_later(component, service, field, pulumi.Output.all(*values), warn)


def _look_later(
    component: str, service: str, field: str, joined: pulumi.Output[list[Any]], warn: Warn
) -> None:
    """:func:`_look` once ``joined`` resolves, its values hidden when it is a secret."""

    is_secret: pulumi.Input[bool] = asyncio.ensure_future(joined.is_secret())
    secret = pulumi.Output.from_input(is_secret)
    pulumi.Output.all(joined, secret).apply(
        lambda both: _look(component, service, field, both[0], both[1], warn)
    )


def _look(
    component: str, service: str, field: str, values: list[Any], secret: bool, warn: Warn
) -> bool:
    """Warn when the Service is an open LoadBalancer; whether it warned."""
    kind, public, *ranges = values
    if kind != "LoadBalancer" or str(public).lower() == "true":
        return False
    problem = rule.load_balancer_exposure(ranges)
    if problem is None:
        return False
    shown = REDACTED if secret else ranges
    warn(
        f"{component}: {field} ({shown!r}): the LoadBalancer Service {service!r} "
        f"{'is open to every address' if secret else problem}, so the whole internet can "
        "reach it; list the client CIDRs there, or, if it is public on purpose, annotate "
        f'the Service {rule.PUBLIC_LOAD_BALANCER_ANNOTATION}: "true" (service_annotations, '
        "or extra_services[].annotations)"
    )
    return True
