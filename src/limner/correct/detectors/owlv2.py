"""``owlv2``: OWLv2 open-vocabulary detection through transformers (``Owlv2ForObjectDetection``).

Weights come from a local folder (``model=PATH`` or ``$LIMNER_OWLV2_MODEL``; e.g. a snapshot of
google/owlv2-base-patch16-ensemble); nothing is downloaded. Each query phrase ("red circle") is a
text query; boxes above ``threshold`` (default 0.1, as SLD uses) keep the phrase they matched,
then greedy NMS (IoU 0.5) across phrases. SLD (CVPR 2024) uses OWLv2 as its detector.
"""

from __future__ import annotations

from typing import Any

from . import Found, Query, TransformersDetector, clip_box, nms


class OWLv2Detector(TransformersDetector):
    id = "owlv2"
    vocabulary = "open"
    model_class, processor_class = "Owlv2ForObjectDetection", "Owlv2Processor"
    env, default_threshold = "LIMNER_OWLV2_MODEL", 0.1

    def detect(self, image: Any, queries: list[Query]) -> list[Found]:
        import torch

        if not queries:
            return []
        model, proc = self.load()
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
