"""``owlv2``: OWLv2 open-vocabulary detection through transformers (``Owlv2ForObjectDetection``).

Weights come from a local folder (``model=PATH`` or ``$LIMNER_OWLV2_MODEL``; e.g. a snapshot of
google/owlv2-base-patch16-ensemble); nothing is downloaded. Each query phrase ("red circle") is a
text query; boxes above ``threshold`` (default 0.1, as SLD uses) keep the phrase they matched,
then greedy NMS (IoU 0.5) across phrases. SLD (CVPR 2024) uses OWLv2 as its detector.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..._deps import require
from . import Detector, Found, Query, clip_box, local_model, nms


@lru_cache(maxsize=2)
def _load(path: str, device: str):
    require("torch", "the owlv2 detector")
    tr = require("transformers", "the owlv2 detector")
    model = tr.Owlv2ForObjectDetection.from_pretrained(path, local_files_only=True).to(device).eval()
    proc = tr.Owlv2Processor.from_pretrained(path, local_files_only=True)
    return model, proc


class OWLv2Detector(Detector):
    id = "owlv2"
    vocabulary = "open"

    def __init__(self, model: str | None = None, threshold: float = 0.1, device: str = "cpu", **_: Any):
        self.path = local_model(model, "LIMNER_OWLV2_MODEL", "owlv2")
        self.threshold = float(threshold)
        self.device = device

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "model": self.path, "threshold": self.threshold}

    def detect(self, image: Any, queries: list[Query]) -> list[Found]:
        import torch

        if not queries:
            return []
        model, proc = _load(self.path, self.device)
        img = image.convert("RGB")
        w, h = img.size
        phrases = [q.phrase() for q in queries]
        inputs = proc(text=[phrases], images=img, return_tensors="pt").to(self.device)
        with torch.no_grad():
            out = model(**inputs)
        side = max(w, h)  # OWLv2 pads to a square: boxes are in the padded frame
        res = proc.post_process_grounded_object_detection(out, threshold=self.threshold,
                                                          target_sizes=[(side, side)], text_labels=[phrases])[0]
        found = []
        for box, score, label in zip(res["boxes"].tolist(), res["scores"].tolist(), res["labels"].tolist()):
            b = clip_box(box, w, h)
            if b is None:
                continue
            q = queries[int(label)]
            found.append(Found(shape=q.name, color=q.color, box=b, score=float(score)))
        return nms(found)
