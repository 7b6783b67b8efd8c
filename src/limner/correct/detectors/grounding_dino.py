"""``grounding-dino``: Grounding DINO through transformers (``GroundingDinoForObjectDetection``).

Weights from a local folder (``model=PATH`` or ``$LIMNER_GROUNDING_DINO_MODEL``; e.g. a snapshot of
IDEA-Research/grounding-dino-tiny); nothing is downloaded. The queries are joined into one caption
("red circle . blue square ."), as Grounding DINO expects; each predicted box is given the query
whose tokens score highest for it (phrase grounding over the query's token span), kept above
``threshold`` (default 0.3), then greedy NMS (IoU 0.5).
"""

from __future__ import annotations

from typing import Any

from . import Found, Query, TransformersDetector, clip_box, nms


def token_spans(tokenizer: Any, phrases: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The caption and, per phrase, the [start, end) positions of its tokens in the encoded caption."""
    spans, pos = [], 1  # position 0 is [CLS]
    for p in phrases:
        n = len(tokenizer.tokenize(p))
        spans.append((pos, pos + n))
        pos += n + len(tokenizer.tokenize("."))
    return " . ".join(phrases) + " .", spans


class GroundingDinoDetector(TransformersDetector):
    id = "grounding-dino"
    vocabulary = "open"
    model_class, processor_class = "GroundingDinoForObjectDetection", "GroundingDinoProcessor"
    env, default_threshold = "LIMNER_GROUNDING_DINO_MODEL", 0.3

    def detect(self, image: Any, queries: list[Query]) -> list[Found]:
        import torch

        if not queries:
            return []
        model, proc = self.load()
        img = image.convert("RGB")
        caption, spans = token_spans(proc.tokenizer, [q.phrase() for q in queries])
        inputs = proc(images=img, text=caption, return_tensors="pt").to(self.device)
        with torch.no_grad():
            out = model(**inputs)
        probs = out.logits[0].sigmoid()  # (num_boxes, max_text_len)
        boxes = out.pred_boxes[0]  # (num_boxes, 4) cx, cy, w, h normalized
        found = []
        for k in range(probs.shape[0]):
            per_query = [float(probs[k, a:b].max()) if b > a and b <= probs.shape[1] else 0.0 for a, b in spans]
            j = max(range(len(queries)), key=lambda i: per_query[i])
            if per_query[j] < self.threshold:
                continue
            cx, cy, bw, bh = boxes[k].tolist()
            b = clip_box((cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2))
            if b is None:
                continue
            found.append(Found(shape=queries[j].name, color=queries[j].color, box=b, score=per_query[j]))
        return nms(found)
