"""Safe YAML loading that remembers line numbers, so errors can name file:line.

Only yaml.SafeLoader is used: a content or config file can never construct Python objects.
Mappings come back as `LineDict` and sequences as `LineList`; both remember the 1-based line
of the node itself and of each key or item, and `line_of` walks a pydantic error location
to the deepest line it can find.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import yaml

from kindred.errors import KindredError


class LineDict(dict):
    line: int = 0
    key_lines: dict

    def line_for(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list

    def line_for(self, index: Any) -> int:
        if isinstance(index, int) and 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose containers carry line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be plain text", key_node.start_mark
            ) from None
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlError(KindredError):
    """A file that is not valid YAML; the message is `file:line: what is wrong`."""

    def __init__(self, path: Path, line: int, what: str) -> None:
        self.path, self.line, self.what = path, line, what
        super().__init__(f"{path}:{line}: {what}")


def load_yaml(path: Path) -> Any:
    """Load one YAML file safely; raise YamlError naming file and line on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlError(path, 0, "file not found") from None
    except UnicodeDecodeError:
        raise YamlError(path, 1, "not a UTF-8 text file") from None
    except OSError as exc:
        raise YamlError(path, 0, f"cannot read ({exc.strerror})") from None
    return load_yaml_text(text, path)


if getattr(yaml, "CSafeLoader", None) is not None:
    class _FastLineLoader(yaml.CSafeLoader):
        """libyaml's parser with the same line-keeping constructors: the same data, about
        eight times faster than the pure-Python parser (content loads at every CLI start)."""

    _FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLineLoader = None

# libyaml composes nested nodes recursively in C and crashes the process (no exception)
# somewhere past 20,000 levels. Nesting depth is at most the longest line (block style)
# plus the number of '[' and '{' (flow style), so the fast path takes only texts where
# that sum is small; anything else goes to the pure-Python parser, which stops cleanly.
_FAST_MAX_DEPTH = 2000


def _shallow(text: str) -> bool:
    longest = max(map(len, text.splitlines()), default=0)
    return longest + text.count("[") + text.count("{") < _FAST_MAX_DEPTH


def load_yaml_text(text: str, path: Path, *, fast: bool = True) -> Any:
    """Parse `text` (from `path`, for messages). libyaml is used when it is there and the
    text is shallow; on any problem the pure-Python parser runs, so the error message and
    its line are always the same. fast=False forces the pure-Python parser."""
    if fast and _FastLineLoader is not None and _shallow(text):
        try:
            return yaml.load(text, Loader=_FastLineLoader)  # noqa: S506 - a SafeLoader
        except (yaml.YAMLError, RecursionError):
            pass  # parsed again below, where the error is worded
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlError(path, line, f"invalid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlError(path, text.count("\n", 0, getattr(exc, "position", 0) or 0) + 1,
                        f"invalid YAML: {str(exc).splitlines()[0]}") from None  # ReaderError: 2 lines
    except RecursionError:
        raise YamlError(path, 1, "invalid YAML: nested too deeply") from None


def line_of(data: Any, loc: Iterable[Any], default: int = 1) -> int:
    """The line of the deepest node along `loc` (a pydantic error location)."""
    line = getattr(data, "line", 0) or default
    node = data
    for part in loc:
        if isinstance(node, LineDict):
            if part not in node:
                continue  # a union tag (repeats the key) or a missing field: stay here
            line = node.line_for(part)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int):
            if not 0 <= part < len(node):
                return line
            line = node.line_for(part)
            node = node[part]
        else:
            continue  # a union tag or model name in the location: skip it
    return line
