"""Train the detector's shape and texture classifiers (``data/detector_mlp.npz``) on rendered corpus scenes.

    python -m limner.world.detect_train --scenes 3000 --seed 2000000

Training scenes use seeds ≥ 2,000,000 (seeds 0–99,999 are the evaluation range). Each scene is
rendered at 32 and 48 px, half of them degraded like generated images (blur, noise, colour drift,
speckle, slightly grown/shrunk outlines); every component the detector finds is matched to the
ground-truth object it covers and labelled with its shape. The classifier is a one-hidden-layer
MLP fitted with numpy (Adam, softmax cross-entropy) — no torch or scikit-learn at run time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import ndimage

from ..schema import Layout
from .corpus import sample_scene
from .detect import WEIGHTS, analyze, component_features
from .render import object_mask, render_layout
from .vocab import SHAPES, TEXTURES

TRAIN_SEED0 = 2_000_000


def degrade(img: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Make a rendered HxWx3 float image look generated: blur, drift, noise, speckle."""
    a = img.astype(np.float32)
    sigma = rng.uniform(0.0, 0.8) * strength
    if sigma > 0.05:
        a = ndimage.gaussian_filter(a, sigma=(sigma, sigma, 0))
    gain = 1 + rng.uniform(-0.06, 0.06, 3) * strength
    off = rng.uniform(-10, 10, 3) * strength
    a = a * gain + off
    a = a + rng.normal(0, rng.uniform(0, 8) * strength, a.shape)
    if rng.random() < 0.5 * strength:  # speckle: a few isolated wrong pixels
        h, w = a.shape[:2]
        k = int(rng.integers(1, max(2, h * w // 150)))
        ys, xs = rng.integers(0, h, k), rng.integers(0, w, k)
        a[ys, xs] = rng.uniform(0, 255, (k, 3))
    return np.clip(a, 0, 255)


def _jitter_layout(layout: Layout, rng: np.random.Generator) -> Layout:
    """Grow/shrink every object by up to ±6% around its centre (soft, imprecise outlines)."""
    objs = []
    for o in layout.objects:
        s = 1 + rng.uniform(-0.06, 0.06)
        cx, cy = o.center
        hw, hh = (o.box[2] - o.box[0]) * s / 2, (o.box[3] - o.box[1]) * s / 2
        box = (max(0.0, cx - hw), max(0.0, cy - hh), min(1.0, cx + hw), min(1.0, cy + hh))
        objs.append(o.model_copy(update={"box": box}))
    return layout.model_copy(update={"objects": objs})


def labelled_components(layout: Layout, size: int, rng: np.random.Generator | None = None):
    """Yield (component feature dict, ground-truth object) for one rendered (maybe degraded) scene."""
    if rng is not None:
        layout = _jitter_layout(layout, rng)
    a = np.asarray(render_layout(layout, size), np.float32)
    if rng is not None:
        a = degrade(a, rng)
    arr, alpha, lab, n = analyze(a)
    comps = component_features(arr, alpha, lab, n)
    masks = [object_mask(o, size) > 0.5 for o in layout.objects]
    for i, c in enumerate(comps, start=1):
        m = lab == i
        ov = [float((m & g).sum()) for g in masks]
        if ov and max(ov) > 0.5 * m.sum():
            yield c, layout.objects[int(np.argmax(ov))]


def build_dataset(n_scenes: int, seed0: int = TRAIN_SEED0, sizes=(32, 48), progress: bool = True):
    from tqdm import tqdm

    X, y, T, yt = [], [], [], []
    rng = np.random.default_rng(seed0)
    for s in tqdm(range(seed0, seed0 + n_scenes), disable=not progress, desc="scenes"):
        layout = sample_scene(s)
        for size in sizes:
            for aug in (None, rng):
                for c, obj in labelled_components(layout, size, aug):
                    X.append(c["shape_features"])
                    y.append(SHAPES.index(obj.name))
                    T.append(c["texture_features"])
                    yt.append(TEXTURES.index(obj.texture or "solid"))
    return (np.stack(X).astype(np.float32), np.array(y, np.int64),
            np.stack(T).astype(np.float32), np.array(yt, np.int64))


def train_mlp(X, y, hidden: int = 64, epochs: int = 60, lr: float = 3e-3, seed: int = 0,
              batch: int = 256, weight_decay: float = 1e-4):
    """One-hidden-layer ReLU MLP, softmax cross-entropy, Adam. Returns the weight dict."""
    rng = np.random.default_rng(seed)
    mean, std = X.mean(0), X.std(0) + 1e-3
    Xn = (X - mean) / std
    k = int(y.max()) + 1
    params = {
        "W0": rng.normal(0, np.sqrt(2 / X.shape[1]), (X.shape[1], hidden)).astype(np.float32),
        "b0": np.zeros(hidden, np.float32),
        "W1": rng.normal(0, np.sqrt(1 / hidden), (hidden, k)).astype(np.float32),
        "b1": np.zeros(k, np.float32),
    }
    m = {n: np.zeros_like(p) for n, p in params.items()}
    v = {n: np.zeros_like(p) for n, p in params.items()}
    step = 0
    for ep in range(epochs):
        order = rng.permutation(len(Xn))
        rate = lr * 0.5 * (1 + np.cos(np.pi * ep / epochs))
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            xb, yb = Xn[idx], y[idx]
            h_pre = xb @ params["W0"] + params["b0"]
            h = np.maximum(h_pre, 0)
            z = h @ params["W1"] + params["b1"]
            z -= z.max(1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(1, keepdims=True)
            g = p
            g[np.arange(len(yb)), yb] -= 1
            g /= len(yb)
            grads = {"W1": h.T @ g, "b1": g.sum(0)}
            gh = (g @ params["W1"].T) * (h_pre > 0)
            grads["W0"] = xb.T @ gh
            grads["b0"] = gh.sum(0)
            step += 1
            for n in params:
                gr = grads[n] + (weight_decay * params[n] if n.startswith("W") else 0)
                m[n] = 0.9 * m[n] + 0.1 * gr
                v[n] = 0.999 * v[n] + 0.001 * gr * gr
                mh, vh = m[n] / (1 - 0.9 ** step), v[n] / (1 - 0.999 ** step)
                params[n] -= (rate * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32)
    params["mean"], params["std"] = mean.astype(np.float32), std.astype(np.float32)
    return params


def _predict(params, X):
    h = np.maximum(((X - params["mean"]) / params["std"]) @ params["W0"] + params["b0"], 0)
    return (h @ params["W1"] + params["b1"]).argmax(1)


def _fit(name, X, y, hidden, epochs):
    """Fit on 90%, report held-out accuracy, refit on all; returns the weights."""
    n_val = len(X) // 10
    params = train_mlp(X[n_val:], y[n_val:], hidden=hidden, epochs=epochs)
    acc = float((_predict(params, X[:n_val]) == y[:n_val]).mean())
    print(f"held-out component {name} accuracy {acc:.4f} ({n_val} components)")
    return train_mlp(X, y, hidden=hidden, epochs=epochs)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=TRAIN_SEED0)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--out", default=str(WEIGHTS))
    args = ap.parse_args(argv)
    if args.seed < TRAIN_SEED0:
        raise SystemExit(f"training seeds must be >= {TRAIN_SEED0} (lower seeds are evaluation scenes)")
    t0 = time.time()
    X, y, T, yt = build_dataset(args.scenes, args.seed)
    print(f"{len(X)} components from {args.scenes} scenes in {time.time() - t0:.0f}s; "
          f"shapes {np.bincount(y)}, textures {np.bincount(yt)}")
    params = {"S_" + k: v for k, v in _fit("shape", X, y, args.hidden, args.epochs).items()}
    params.update({"T_" + k: v for k, v in _fit("texture", T, yt, 16, args.epochs).items()})
    params["command"] = np.array(
        f"python -m limner.world.detect_train --scenes {args.scenes} --seed {args.seed} "
        f"--hidden {args.hidden} --epochs {args.epochs}")
    params["shapes"] = np.array(list(SHAPES))
    params["textures"] = np.array(list(TEXTURES))
    WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **params)
    print(f"wrote {args.out} in {time.time() - t0:.0f}s total")


if __name__ == "__main__":
    main()
