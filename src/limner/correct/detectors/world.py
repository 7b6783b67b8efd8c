"""``world``: the embedded world's exact detector (:mod:`limner.world.detect`), as a :class:`Detector`.

It names shapes, colours and textures itself, so it ignores the queries. numpy/scipy only.
"""

from __future__ import annotations

from typing import Any

from . import Detector, Found, Query


class WorldDetector(Detector):
    id = "world"
    vocabulary = "world"

    def __init__(self, **_: Any):
        pass

    def detect(self, image: Any, queries: list[Query] | None = None) -> list[Found]:
        from ...world.detect import detect

        return [Found(shape=d.shape, color=d.color, texture=d.texture, box=d.box, score=d.score)
                for d in detect(image)]
