"""The adapter module: identity-like at init, attention over tokens (not the batch), no dropout in eval."""

import pytest

torch = pytest.importorskip("torch")

from limner.adapter.model import AdapterConfig, SURAdapter, file_sha256, load_adapter, save_adapter  # noqa: E402
from limner.errors import InputError  # noqa: E402


def make(**kw):
    torch.manual_seed(0)
    return SURAdapter(AdapterConfig(text_dim=16, llm_dim=8, layers=1, heads=2, **kw))


def test_zero_initialised_fc_mixes_only_the_text():
    ad = make(eta=0.25).eval()
    text, llm = torch.randn(3, 5, 16), torch.randn(3, 8)
    assert torch.allclose(ad(text, llm), 0.75 * text)


def test_each_prompt_is_adapted_on_its_own():
    # the paper code's transformer ran without batch_first and attended across the batch
    # (and the guidance pair); here a row's output does not depend on the other rows
    ad = make()
    torch.nn.init.normal_(ad.fc.weight)
    ad.eval()
    text, llm = torch.randn(4, 5, 16), torch.randn(4, 8)
    full = ad(text, llm)
    alone = ad(text[1:2], llm[1:2])
    assert torch.allclose(full[1:2], alone, atol=1e-5)
    other = text.clone()
    other[0] += 5.0
    assert torch.allclose(ad(other, llm)[2], full[2], atol=1e-5)


def test_llm_vector_changes_the_output_and_dropout_is_off_in_eval():
    ad = make(dropout=0.5)
    torch.nn.init.normal_(ad.fc.weight)
    ad.eval()
    text = torch.randn(1, 5, 16)
    a, b = ad(text, torch.zeros(1, 8)), ad(text, torch.ones(1, 8))
    assert not torch.allclose(a, b)
    assert torch.equal(ad(text, torch.ones(1, 8)), b)  # deterministic
    with pytest.raises(ValueError, match="llm"):
        ad(text, None)


def test_save_load_roundtrip(tmp_path):
    ad = make()
    torch.nn.init.normal_(ad.fc.weight)
    sha = save_adapter(ad, tmp_path / "a.safetensors")
    assert sha == file_sha256(tmp_path / "a.safetensors")
    back = load_adapter(tmp_path / "a.safetensors")
    assert not back.training and back.cfg == ad.cfg
    text, llm = torch.randn(2, 5, 16), torch.randn(2, 8)
    assert torch.allclose(back(text, llm), ad.eval()(text, llm))
    (tmp_path / "bad.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(InputError, match="not a limner SUR-adapter"):
        load_adapter(tmp_path / "bad.safetensors")
