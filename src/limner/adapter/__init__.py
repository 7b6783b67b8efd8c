"""SUR-adapter (Zhong et al., ACM MM 2023): simple, narrative prompts that work like detailed ones.

* :mod:`.knowledge` / :mod:`.data` — (simple, complex, image) triples from the world corpus, with a
  held-out vocabulary; a loader for SURD-style folders (``metadata.jsonl``).
* :mod:`.features` — mean-pooled LLM features from a GGUF (the embedded Gemma), cached on disk.
* :mod:`.model` — the adapter module, safetensors save/load.
* :mod:`.bases` / :mod:`.train` — training against a frozen world model or diffusers SD.
* :mod:`.apply` — applying an adapter to a prompt's text states at generation time.
* :mod:`.cli` — ``limner adapter train``.

Nothing here imports torch at package import time.
"""
