"""The LLM reader: schema-validated steps, verified against the instruction's words and the scene."""

from __future__ import annotations

import json

from limner.edit.sketch import plan_instruction
from limner.llm.base import LLM
from limner.schema import Layout, SceneObject


class ScriptedLLM(LLM):
    """A real LLM backend (the base class validates replies against the schema) that always
    replies with the same text, and counts its calls."""

    id = "scripted"

    def __init__(self, reply: dict | str):
        super().__init__()
        self.reply = reply if isinstance(reply, str) else json.dumps(reply)
        self.calls = 0

    def _generate(self, args) -> str:
        self.calls += 1
        return self.reply


SCENE = Layout(width=512, height=512, background="plain gray", objects=[
    SceneObject(name="square", color="orange", box=(0.15, 0.15, 0.45, 0.45)),
    SceneObject(name="diamond", color="purple", box=(0.55, 0.55, 0.85, 0.85))])


def test_the_llm_reads_what_the_rules_left_and_its_reading_is_applied():
    llm = ScriptedLLM({"possible": True, "steps": [{"kind": "recolor", "object_shape": "square", "new_color": "green"}]})
    p = plan_instruction(SCENE, "kindly render the square in a green hue", llm=llm)
    assert llm.calls == 1 and p.refusal is None and p.path == "llm"
    assert p.read.unknown == ["hue"]
    assert [o.color for o in p.target.objects] == ["green", "purple"]


def test_an_llm_value_not_in_the_instruction_is_refused():
    llm = ScriptedLLM({"possible": True, "steps": [{"kind": "recolor", "object_shape": "square", "new_color": "blue"}]})
    p = plan_instruction(SCENE, "make it night", llm=llm)
    assert p.target is None and "'night'" in p.refusal and "blue" in p.refusal


def test_the_llm_saying_impossible_is_a_refusal():
    llm = ScriptedLLM({"possible": False, "steps": []})
    p = plan_instruction(SCENE, "make it look like a painting", llm=llm)
    assert p.target is None and "'painting'" in p.refusal


def test_an_out_of_vocabulary_object_never_reaches_the_llm():
    llm = ScriptedLLM({"possible": True, "steps": [{"kind": "add", "object_shape": "diamond", "object_color": "yellow"}]})
    p = plan_instruction(SCENE, "put a hat on the diamond", llm=llm)
    assert llm.calls == 0 and p.target is None and "'hat'" in p.refusal


def test_a_reply_outside_the_schema_is_a_refusal_not_a_traceback():
    llm = ScriptedLLM('{"possible": true, "steps": [{"kind": "paint_a_dog"}]}')
    p = plan_instruction(SCENE, "kindly render the square in a green hue", llm=llm)
    assert p.target is None and "LLM reader failed" in p.refusal
