"""Readers for the label and annotation maps several facets take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi

from .. import _rules as rule
from .._fields import Fields, checked, is_deferred


def label_map(r: Fields, key: str) -> dict[str, Any]:
    """Labels: qualified-name keys, label values; an Output value reaches the resources
    only through its check, so no object is registered with a bad one."""
    values = r.mapping(key)
    checked_values: dict[str, Any] = {}
    for name, value in values.items():
        field_name = r.field(f"{key}.{name}")
        rule.qualified_name(r.component, field_name, name)
        checked_values[name] = checked(value, r.item_check(rule.version_label, f"{key}.{name}"))
    return checked_values


def annotation_map(r: Fields, key: str) -> dict[str, Any]:
    """Annotations: annotation keys, string values, 256 KiB in all."""
    values = r.mapping(key)
    checked_values: dict[str, Any] = {}
    for name, value in values.items():
        rule.annotation_key(r.component, r.field(f"{key}.{name}"), name)
        checked_values[name] = checked(value, r.item_check(rule.text, f"{key}.{name}"))
    rule.annotations_size(r.component, r.field(key), checked_values)
    return checked_values


def map_input(
    r: Fields, key: str, read: Callable[[Fields, str], dict[str, Any]]
) -> pulumi.Input[dict[str, Any]]:
    """``read`` (:func:`label_map` or :func:`annotation_map`) of the map ``key``, which may
    itself be an Output: then it is read, with the same checks, once it resolves."""
    value = r.raw(key)
    if not is_deferred(value):
        return read(r, key)
    return checked(
        value, lambda resolved: read(Fields(r.component, {key: resolved}, r.prefix), key)
    )
