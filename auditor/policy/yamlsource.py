"""Safe YAML reading that remembers where every value came from.

PyYAML's composer gives nodes with line/column marks; we construct plain Python values from
them ourselves so that duplicate keys, alias bombs and odd scalars are caught with a location,
and so schema errors can point at `file:line:column`. Why this and not ruamel.yaml (measured):
docs/policy.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from auditor.common.errors import PolicyIssue
from auditor.common.json_value import JsonValue

MAX_BYTES = 1024 * 1024  # a policy set is hand-written; anything bigger is a mistake or an attack
MAX_NODES = 100_000  # values constructed, counting alias expansions

Path = tuple[str | int, ...]


@dataclass
class Located:
    """A parsed YAML document plus the (line, column) of each value and mapping key."""

    file: str
    data: Any
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path, key: bool = False) -> tuple[int, int]:
        """Closest known location for `path`, walking up to the parent when needed."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        while path:
            path = path[:-1]
            if path in self.values:
                return self.values[path]
        return (1, 1)

    def issue(self, path: Path, message: str, key: bool = False) -> PolicyIssue:
        line, col = self.where(path, key)
        return PolicyIssue(self.file, line, col, message)


def dotted(path: Path) -> str:
    """`catalog[2].spare_seats`: a path as policy messages name it."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "document"


@dataclass(frozen=True)
class PolicyNode:
    """A node of a schema-valid policy document (a mapping, a list or a value at a path), for the
    code that parses it into typed objects: its value, its path, and the list its semantic problems
    go to, located at file:line:column."""

    doc: Located
    path: Path
    data: Any
    issues: list[PolicyIssue]

    @classmethod
    def root(cls, doc: Located, issues: list[PolicyIssue]) -> PolicyNode:
        return cls(doc, (), doc.data, issues)

    def at(self, key: str | int) -> PolicyNode:
        """The value under `key` (None when a mapping lacks it)."""
        data = self.data[key] if isinstance(key, int) else (self.data or {}).get(key)
        return PolicyNode(self.doc, (*self.path, key), data, self.issues)

    def entries(self) -> list[PolicyNode]:
        """The items of a list (none when absent)."""
        return [self.at(i) for i in range(len(self.data or ()))]

    @property
    def name(self) -> str:
        return dotted(self.path)

    @property
    def line(self) -> int:
        return self.doc.where(self.path)[0]

    def report(self, message: str) -> None:
        self.issues.append(self.doc.issue(self.path, message))

    def date(self) -> date:
        """The value (YYYY-MM-DD text, as the schema checked) as a calendar date; one that is no
        calendar date (2027-02-30) is reported, and stands as date.min."""
        try:
            return date.fromisoformat(self.data)
        except ValueError:
            self.report(f"{self.name}: {self.data!r} is not a valid calendar date")
            return date.min


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.count = 0
        self.out = Located(file, None)
        self.issues: list[PolicyIssue] = []
        self._scalars = yaml.SafeLoader("")  # only used for its scalar constructors

    def _mark(self, node: yaml.Node) -> tuple[int, int]:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(self._mark(node))
        if depth > 64:
            raise _TooDeep(self._mark(node))
        self.out.values.setdefault(path, self._mark(node))
        if node.tag.startswith("tag:yaml.org,2002:python") or not node.tag.startswith("tag:yaml.org,2002:"):
            self.issues.append(PolicyIssue(self.file, *self._mark(node), f"unsupported YAML tag {node.tag}"))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, JsonValue]:
        """A mapping of plain-text keys; a merge key, another kind of key or a duplicate is an issue."""
        result: dict[str, JsonValue] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.issues.append(
                    PolicyIssue(self.file, *self._mark(key_node), "YAML merge keys ('<<') are not supported")
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.issues.append(PolicyIssue(self.file, *self._mark(key_node), "mapping keys must be plain text"))
                continue
            key = str(key_node.value)
            if key in result:
                first = self.out.keys.get((*path, key), (0, 0))
                self.issues.append(
                    PolicyIssue(
                        self.file,
                        *self._mark(key_node),
                        f"duplicate key '{key}' (first defined on line {first[0]})",
                    )
                )
                continue
            self.out.keys[(*path, key)] = self._mark(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        """A scalar as YAML's core schema reads it, but a date stays text and a number must be finite."""
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates stay text; the policy model parses them with a located error
        if node.tag in (
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:null",
        ):
            try:
                value = self._scalars.construct_object(node, deep=True)
            except (ValueError, yaml.YAMLError):
                return node.value
            if isinstance(value, float) and not math.isfinite(value):
                self.issues.append(PolicyIssue(self.file, *self._mark(node), f"{node.value!r} is not a finite number"))
            return value
        return node.value


class _TooBig(Exception):
    def __init__(self, mark: tuple[int, int]) -> None:
        self.mark = mark


class _TooDeep(_TooBig):
    pass


def read_yaml(file: str, raw: bytes) -> tuple[Located | None, list[PolicyIssue]]:
    """Parse one policy file. Returns (document, issues); document is None on fatal problems."""
    if len(raw) > MAX_BYTES:
        return None, [PolicyIssue(file, 0, 0, f"file is {len(raw):,} bytes; policy files are limited to {MAX_BYTES:,}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [PolicyIssue(file, line, col, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})")]
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        return None, [PolicyIssue(file, line, col, f"YAML syntax error: {problem}")]
    except yaml.YAMLError as exc:
        return None, [PolicyIssue(file, 0, 0, f"YAML error: {' '.join(str(exc).split())}")]
    except RecursionError:
        return None, [PolicyIssue(file, 1, 1, "document is nested too deeply")]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [PolicyIssue(file, 1, 1, "file is empty; expected a LicensePolicy document")]
    if len(nodes) > 1:
        line, col = nodes[1].start_mark.line + 1, nodes[1].start_mark.column + 1
        return None, [PolicyIssue(file, line, col, "one policy per file: found a second YAML document")]
    builder = _Builder(file)
    try:
        builder.out.data = builder.build(nodes[0], ())
    except _TooDeep as exc:
        return None, [PolicyIssue(file, *exc.mark, "document is nested too deeply")]
    except _TooBig as exc:
        return None, [PolicyIssue(file, *exc.mark, f"document expands to more than {MAX_NODES:,} values (alias bomb?)")]
    return builder.out, builder.issues
