"""Case entries in YAML: a list of mappings (or one mapping, or ``cases:`` holding a list), lines kept."""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import InputError
from .convert import Converter
from .model import EntryFile


def read_yaml(converter: Converter, text: str) -> EntryFile:
    """Convert the cases of a YAML document."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml when available: same marks, faster
    try:
        documents = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                documents.append(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise InputError(f"{converter.path}{where}: YAML syntax error: {exc.problem or exc.context}") from None
    finally:
        loader.dispose()
    items: list[yaml.Node] = []
    for node in documents:
        if isinstance(node, yaml.MappingNode) and any(k.value == "cases" for k, _ in node.value):
            if len(node.value) != 1:
                extra = [k.value for k, _ in node.value if k.value != "cases"]
                raise InputError(f"{converter.path}:{node.start_mark.line + 1}: unknown top-level key(s) {extra}")
            node = node.value[0][1]
        if isinstance(node, yaml.SequenceNode):
            items.extend(node.value)
        else:
            items.append(node)
    if not items:
        raise InputError(f"{converter.path}: the file holds no case")
    for item in items:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise InputError(f"{converter.path}:{line}: a case must be a mapping of fields (name_en: ..., ...)")
        fields: dict[str, tuple[Any, int]] = {}
        for key_node, value_node in item.value:
            key_line = key_node.start_mark.line + 1
            key = str(key_node.value)
            if key in fields:
                raise InputError(f"{converter.path}:{key_line}: the field {key!r} is given twice")
            fields[key] = (_yaml_value(converter, value_node, key), key_line)
        converter.convert(fields, line)
    return converter.result


def _yaml_value(converter: Converter, node: yaml.Node, key: str) -> Any:
    """A plain Python value, with the line of each list item kept."""
    if isinstance(node, yaml.SequenceNode):
        return [(_yaml_value(converter, n, key), n.start_mark.line + 1) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): (_yaml_value(converter, v, key), k.start_mark.line + 1) for k, v in node.value}
    try:
        return converter.constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        assert mark is not None  # the safe constructor always marks the node it could not construct
        raise InputError(f"{converter.path}:{mark.line + 1}:{mark.column + 1}: field {key!r}: {exc.problem}") from None
