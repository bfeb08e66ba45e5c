"""`kindred config`: show the effective settings, change one, or print where they live."""

from __future__ import annotations

import argparse
import re
import types
import typing
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from kindred import paths
from kindred.config import Config, load_config, save_config
from kindred.errors import ConfigError

NAME = "config"
HELP = "Show your settings, change one (config set KEY VALUE), or print the file's path."
DESCRIPTION = (
    "Without an action, print the effective settings as YAML and the file they come from "
    "(defaults fill in whatever the file leaves out). `kindred config set faith true` or "
    "`kindred config set cues.halfway false` changes one setting, checked before saving; "
    "`kindred config unset KEY` puts one back to its default; `kindred config path` prints "
    "the file's path."
)

_NONE_WORDS = {"none", "null", "default", "~", ""}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION")
    actions.add_parser("show", help="print the effective settings (the default action)")
    p = actions.add_parser("set", help="change one setting, e.g. `set cues.halfway false`")
    p.add_argument("key", help="a setting name; dotted for groups, e.g. cues.halfway")
    p.add_argument("value", help="the new value; `none` resets an optional setting")
    p = actions.add_parser("unset", help="put one setting back to its default")
    p.add_argument("key")
    actions.add_parser("path", help="print the config file's path")


# -- describing settings -------------------------------------------------------------------

def settings(model: type[BaseModel] = Config, prefix: str = "") -> dict[str, FieldInfo]:
    """Every settable key (dotted for groups) and its pydantic field."""
    out: dict[str, FieldInfo] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(settings(ann, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = info
    return out


def _union_args(ann: Any) -> tuple:
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        return typing.get_args(ann)
    return (ann,)


def _bounds(info: FieldInfo) -> str:
    lo = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
    hi = next((m.le for m in info.metadata if hasattr(m, "le")), None)
    if lo is not None and hi is not None:
        return f" from {lo} to {hi}"
    if lo is not None:
        return f" of at least {lo}"
    if hi is not None:
        return f" of at most {hi}"
    return ""


def allowed(info: FieldInfo) -> str:
    """What a setting accepts, in words: 'a whole number from 80 to 300'."""
    args = _union_args(info.annotation)
    parts = []
    for arg in args:
        if arg is type(None):
            continue
        if arg is bool:
            parts.append("true or false")
        elif arg is int:
            parts.append("a whole number" + _bounds(info))
        elif arg is float:
            parts.append("a number" + _bounds(info))
        elif typing.get_origin(arg) is Literal:
            parts.append("one of " + ", ".join(str(a) for a in typing.get_args(arg)))
        elif arg is Path:
            parts.append("a folder path")
        elif arg is str:
            size = next((m.min_length for m in info.metadata if hasattr(m, "min_length")), None)
            parts.append(f"text of at least {size} characters" if size else "text")
        else:
            parts.append(getattr(arg, "__name__", str(arg)))
    text = " or ".join(parts)
    if type(None) in args:
        text += ", or none for the default"
    return text


def parse_value(info: FieldInfo, raw: str) -> Any:
    """The command-line text as the value pydantic should check (lax: 'true' -> True)."""
    args = _union_args(info.annotation)
    if type(None) in args and raw.strip().lower() in _NONE_WORDS:
        return None
    if int in args and str in args and re.fullmatch(r"-?\d+", raw.strip()):
        return int(raw)  # a device number, not a device called "3"
    return raw


# -- actions -------------------------------------------------------------------------------

def _known(key: str) -> FieldInfo:
    known = settings()
    if key in known:
        return known[key]
    groups = sorted({k.split(".")[0] for k in known if "." in k})
    if key in groups:
        keys = ", ".join(k for k in known if k.startswith(key + "."))
        raise ConfigError(f"config: {key} is a group; set one of {keys}")
    raise ConfigError(f"config: unknown setting {key!r}; known settings: {', '.join(known)}")


def _with_value(config: Config, key: str, value: Any) -> Config:
    data = config.model_dump()
    node = data
    *groups, last = key.split(".")
    for group in groups:
        node = node[group]
    node[last] = value
    return Config.model_validate(data)


def set_setting(key: str, raw: str, path: Path | None = None) -> tuple[Config, Path]:
    info = _known(key)
    config = load_config(path)
    try:
        new = _with_value(config, key, parse_value(info, raw))
    except ValidationError:
        raise ConfigError(f"config: {key} cannot be {raw!r}; allowed: {allowed(info)}") from None
    return new, save_config(new, path)


def unset_setting(key: str, path: Path | None = None) -> tuple[Config, Path]:
    info = _known(key)
    default = info.get_default(call_default_factory=True)
    new = _with_value(load_config(path), key, default)
    return new, save_config(new, path)


def show_text(config: Config, path: Path) -> str:
    where = f"# {path}" + ("" if path.exists() else " (not created yet: all defaults)")
    body = yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    return where + "\n" + body.rstrip("\n")


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def run(args: argparse.Namespace) -> int:
    action = getattr(args, "config_action", None) or "show"
    if action == "path":
        print(paths.config_file())
    elif action == "set":
        new, path = set_setting(args.key, args.value)
        value = new
        for part in args.key.split("."):
            value = getattr(value, part)
        print(f"{args.key} = {_shown(value)}  (saved to {path})")
    elif action == "unset":
        new, path = unset_setting(args.key)
        value = new
        for part in args.key.split("."):
            value = getattr(value, part)
        print(f"{args.key} is back to its default, {_shown(value)}  (saved to {path})")
    else:
        print(show_text(load_config(), paths.config_file()))
    return 0
