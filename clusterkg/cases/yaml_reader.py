"""Case entries in YAML: a list of mappings (or one mapping, or ``cases:`` holding a list), lines kept.

What a document may cost is bounded before it is converted: aliases
(``*name``) may add at most :data:`MAX_ALIAS_EXPANSION` values and characters
(an "alias bomb" of a few hundred bytes would otherwise grow to gigabytes), an
alias may not refer to the list or mapping that holds it, lists and mappings
nest at most :data:`MAX_YAML_DEPTH` deep, and a tag that names no plain YAML
value (``!!python/object:...``, ``!custom``) is refused rather than ignored.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import InputError, one_line
from .convert import Converter
from .model import EntryFile

#: Values and characters that aliases may add to a document, counted expanded.
MAX_ALIAS_EXPANSION = 1_000_000
#: Deepest nesting of lists and mappings.
MAX_YAML_DEPTH = 100
#: The tags of plain YAML values: those the safe constructor builds.
PLAIN_TAGS = frozenset(tag for tag in yaml.constructor.SafeConstructor.yaml_constructors if tag)


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
    except yaml.YAMLError as exc:  # e.g. a character YAML does not allow (a NUL), reported without a line
        raise InputError(f"{converter.path}: YAML error: {one_line(str(exc))}") from None
    except RecursionError:  # the pure-Python composer, without libyaml
        raise InputError(f"{converter.path}: lists and mappings nest too deeply") from None
    finally:
        loader.dispose()
    check_nodes(converter.path, documents)
    items: list[yaml.Node] = []
    for node in documents:
        if isinstance(node, yaml.MappingNode) and any(k.value == "cases" for k, _ in node.value):
            if len(node.value) != 1:
                extra = [k.value for k, _ in node.value if k.value != "cases"]
                raise InputError(f"{converter.path}:{node.start_mark.line + 1}: unknown top-level key(s) {extra}")
            node = node.value[0][1]
        if isinstance(node, yaml.SequenceNode):
            items.extend(node.value)
            node.value = []
        else:
            items.append(node)
    documents.clear()
    if not items:
        raise InputError(f"{converter.path}: the file holds no case")
    # each case's nodes are dropped once it is converted: the composed document and the converted cases are
    # not held at the same time (at 10,000 cases they are about as large)
    items.reverse()
    while items:
        item = items.pop()
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise InputError(f"{converter.path}:{line}: a case must be a mapping of fields (name_en: ..., ...)")
        fields: dict[str, tuple[Any, int]] = {}
        for key_node, value_node in item.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(f"{converter.path}:{key_line}: a field name must be plain text, not a list or mapping")
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
    except ValueError as exc:  # a date such as 2024-13-45, an integer of more digits than Python converts
        mark = node.start_mark
        raise InputError(f"{converter.path}:{mark.line + 1}:{mark.column + 1}: field {key!r}: {node.value[:40]!r} "
                         f"cannot be read ({one_line(exc)})") from None


def check_nodes(path: str, documents: list[yaml.Node]) -> None:
    """Refuse composed documents past the limits of this module (tags, alias expansion, cycles, depth).

    Walks each node once, without expanding aliases: an aliased node is the
    same object wherever it is used, and its expanded size is counted once.
    """
    sizes: dict[int, int] = {}  # id of a node -> its size with aliases expanded
    written = 0
    entered: set[int] = set()  # the nodes from the root to the one being read
    for document in documents:
        stack: list[tuple[yaml.Node, int, bool]] = [(document, 1, False)]
        while stack:
            node, depth, done = stack.pop()
            key = id(node)
            children = _children(node)
            if done:
                entered.discard(key)
                sizes[key] = 1 + sum(sizes[id(child)] for child in children)
                continue
            if key in sizes:
                continue  # an alias of a node already measured
            where = f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
            if key in entered:
                raise InputError(f"{where}: a YAML alias refers to the list or mapping that holds it")
            if node.tag == "tag:yaml.org,2002:merge":
                raise InputError(f"{where}: merge keys (<<: *name) are not read in case files: write the fields out")
            if node.tag not in PLAIN_TAGS:
                tag = node.tag.replace("tag:yaml.org,2002:", "!!")
                raise InputError(f"{where}: the YAML tag {tag} is not allowed (plain values only: text, numbers, "
                                 "dates, lists and mappings)")
            if depth > MAX_YAML_DEPTH:
                raise InputError(f"{where}: lists and mappings nest more than {MAX_YAML_DEPTH} deep")
            if isinstance(node, yaml.ScalarNode):
                sizes[key] = 1 + len(node.value)
                written += sizes[key]
                continue
            written += 1
            entered.add(key)
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in children)
    expanded = sum(sizes[id(document)] for document in documents)
    if expanded - written > MAX_ALIAS_EXPANSION:
        raise InputError(f"{path}: its YAML aliases (*name) would add {expanded - written:,} values and characters, "
                         f"more than the {MAX_ALIAS_EXPANSION:,} allowed (an alias bomb?)")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []
