"""Bad config files never produce a traceback: `kindred config show` on mutated configs."""

from __future__ import annotations

import yaml
from hypothesis import given, strategies as st

from fuzz.conftest import assert_named_error
from kindred.cli.main import main
from kindred.config import Config

VALID = Config().model_dump(mode="json")
KEYS = sorted(VALID) + ["cues.halfway", "nonsense", "", "voice\u202e"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
                    st.sampled_from(["auto", "vosk", "pocketsphinx", "none", "true", "0x10",
                                     "1e309", "-1", "~", "kindred", "hey kindred", ""]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=8), inner,
                                                                      max_size=4)), max_leaves=12)


@st.composite
def config_texts(draw) -> str:
    kind = draw(st.sampled_from(["mutate", "mutate", "mutate", "text", "bytes"]))
    if kind == "text":
        return draw(st.text(max_size=300))
    if kind == "bytes":
        return draw(st.binary(max_size=300)).decode("latin-1")
    data = dict(VALID)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["set", "drop", "nest"]))
        key = draw(st.sampled_from(KEYS))
        if op == "set":
            data[key] = draw(values)
        elif op == "drop":
            data.pop(key, None)
        else:
            data[key] = {"cues": {"halfway": draw(values)}} if key != "cues" else draw(values)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if draw(st.booleans()):  # a duplicated key, an anchor, a stray tab or a cut-off file
        text = draw(st.sampled_from([
            text + "voice: twice\n", "base: &a {x: 1}\nvoice: *a\n" + text,
            text.replace("\n", "\n\t", 1), text[: draw(st.integers(0, len(text)))],
            "[" * 200 + text, text + "!!python/object:os.system {}\n"]))
    return text


@given(text=config_texts())
def test_any_config_file_gives_a_named_error_or_works(text, kindred_dirs, capsys):
    kindred_dirs["config"].mkdir(exist_ok=True)
    (kindred_dirs["config"] / "config.yaml").write_text(text, encoding="utf-8",
                                                        errors="surrogatepass")
    code = main(["config", "show"])
    err = capsys.readouterr().err
    assert_named_error(code, err)
    if code:
        assert "config.yaml" in err, err  # the message names the file
