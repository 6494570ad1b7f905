"""Fields (_fields.py): typed reads from Args and stack config that name the field on error."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage._fields import Fields
from moorage._rules import component_label

LABEL = component_label("staging", "EksCluster")


def fields(args: dict[str, Any] | None = None, prefix: str = "") -> Fields:
    return Fields(LABEL, args or {}, prefix)


def raises(field: str, rule_part: str) -> Any:
    """pytest.raises for a ValidationError on ``field`` whose rule mentions ``rule_part``."""
    return pytest.raises(
        ValidationError,
        match=rf"^EksCluster \"staging\": {re.escape(field)} \(.*{re.escape(rule_part)}",
    )


def test_label_names_the_component():
    assert LABEL == 'EksCluster "staging"'


@pytest.mark.parametrize("value", [None, ""])
def test_required_text_rejects_missing_values(value):
    with raises("region", "is required"):
        fields({"region": value}).required_text("region")


def test_typed_reads_reject_wrong_types_from_config():
    with raises("min_size", "must be an integer, not str"):
        fields({"min_size": "2"}).integer("min_size", 1)
    with raises("min_size", "must be an integer, not bool"):
        fields({"min_size": True}).integer("min_size", 1)
    with raises("spot", "must be true or false, not str"):
        fields({"spot": "true"}).boolean("spot", False)
    with raises("cidrs", "must be a plain list"):
        fields({"cidrs": "10.0.0.0/8"}).texts("cidrs")
    with raises("cidrs[1]", "non-empty string"):
        fields({"cidrs": ["10.0.0.0/8", 7]}).texts("cidrs")
    with raises("region", "must be a string"):
        fields({"region": 1}).text("region", "x")


def test_typed_reads_fill_defaults():
    f = fields({})
    assert f.integer("min_size", 2) == 2
    assert f.boolean("spot", False) is False
    assert f.texts("cidrs") == []
    assert f.text("version", "1.34") == "1.34"
    assert f.optional_text("zone") is None
    assert f.mapping("tags") == {}


def test_sections_prefix_their_field_names():
    nodes = fields({"node_group": {"min_size": "x"}}).section("node_group")
    with raises("node_group.min_size", "integer"):
        nodes.integer("min_size", 1)


def test_a_section_must_be_a_mapping():
    with raises("node_group", "must be a mapping"):
        fields({"node_group": ["min_size"]}).section("node_group")


def test_unknown_fields_are_reported_with_the_known_ones():
    with raises("regoin", 'is not a known field; did you mean "region"?'):
        fields({"regoin": "us-west-2"}).reject_unknown({"region", "cluster_name"})


TYPED_READS = [
    pytest.param(lambda f: f.required_text("value"), id="required_text"),
    pytest.param(lambda f: f.text("value", "x"), id="text"),
    pytest.param(lambda f: f.optional_text("value"), id="optional_text"),
    pytest.param(lambda f: f.integer("value", 1), id="integer"),
    pytest.param(lambda f: f.boolean("value", False), id="boolean"),
    pytest.param(lambda f: f.items("value"), id="items"),
    pytest.param(lambda f: f.texts("value"), id="texts"),
    pytest.param(lambda f: f.mapping("value"), id="mapping"),
    pytest.param(lambda f: f.section("value"), id="section"),
]


@pytest.mark.parametrize("read", TYPED_READS)
def test_typed_reads_need_a_value_known_when_the_program_runs(mocks, read):
    def program() -> None:
        section = fields({"value": pulumi.Output.from_input("x")}, "node_group.")
        with raises("node_group.value", "must be known when the program runs") as raised:
            read(section)
        assert raised.value.value == "<output>"

    mocks.run(program)


def test_raw_values_list_items_and_mapping_values_may_be_outputs(mocks):
    def program() -> None:
        arn = pulumi.Output.from_input("arn:aws:iam::123456789012:role/deploy")
        f = fields({"arn": arn, "arns": [arn], "versions": {"coredns": arn}})
        assert f.present("arn") and f.raw("arn") is arn
        assert f.items("arns") == [arn]
        assert f.mapping("versions") == {"coredns": arn}
        with raises("arns[0]", "must be known when the program runs"):
            f.texts("arns")  # a list of plain strings, such as CIDRs

    mocks.run(program)
