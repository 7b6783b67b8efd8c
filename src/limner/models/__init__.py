"""limner's own diffusion models (torch): the world model and the edit model.

``world_model`` / ``world_pipeline`` / ``world_train`` / ``world_weights``: the layout-grounded
text-to-image model of the embedded world (a diffusers ``UNet2DConditionModel`` + small
``CLIPTextModel`` behind :class:`~limner.models.world_pipeline.WorldPipeline`).
``edit_model`` / ``edit_weights``: the InstructPix2Pix-style edit model (trained by ``limner.edit.train``).
``tokenizer`` and ``condition`` are shared by both (text tokens; the layout painted into channels).
The scene domain they are trained on (vocabulary, corpus, renderer, detector) is :mod:`limner.world`.
"""
