r"""Program sketches (Control-GPT): a safe interpreter for a TikZ subset, and Layout -> TikZ.

Nothing is ever passed to LaTeX or a shell: this is our own tokenizer and parser, with bounded
input (200k characters), bounded token, shape and point counts, and no macro expansion.

The subset (everything else is a clear :class:`InputError`, or ignored with a note where harmless):

* ``\draw``, ``\fill``, ``\filldraw``, ``\path``  ``[options] path ;`` — each closed sub-path is one
  object, drawn in program order (``depth``);
* path operations: coordinates ``(x,y)`` (units cm/mm/pt/in; polar ``(a:r)``; named), ``++(dx,dy)``
  and ``+(dx,dy)`` relative, ``--`` / ``to`` lines, ``cycle``, ``rectangle``,
  ``circle [radius=r]`` / ``circle (r)``, ``ellipse [x radius=a, y radius=b]`` / ``ellipse (a and b)``,
  ``node [options] {label}``;
* ``\node [options] (name) at (x,y) {label};`` labels the shape that contains the point (an object's
  name and colour come from its label, e.g. ``{red balloon}``); with ``draw``/``fill`` and
  ``circle``/``rectangle`` options it is itself a shape (``minimum size``);
* ``\coordinate (name) at (x,y);``, ``\definecolor{name}{rgb|RGB|HTML}{...}``;
* options: colours (``red``, ``red!50``, ``red!50!blue``, ``fill=``, ``draw=``, ``color=``),
  ``scale``, ``xscale``, ``yscale``, ``shift={(x,y)}``, ``xshift``, ``yshift``, ``radius``,
  ``x radius``, ``y radius``, ``minimum size``; style keys (``thick``, ``dashed``, ...) are ignored;
* ``\begin{tikzpicture}[options]`` / ``\begin{scope}[options]`` ... ``\end{...}`` (nesting <= 16);
* the canvas is ``\useasboundingbox`` / ``\clip`` rectangle if given, else the shapes' bounding box.

The tokenizer, value readers, interpreter state and path operations live in
:mod:`limner.plan.tikz_interp`; this module interprets whole programs and writes them back.
"""

from __future__ import annotations

import re

from ..errors import InputError
from ..schema import Layout, SceneObject
from . import lexicon as lx
from .sketch import object_outline
# the tokenizer and interpreter core; every name it had here stays importable from this module
from .tikz_interp import (
    MAX_ABS,
    MAX_CHARS,
    MAX_DEPTH,
    MAX_POINTS,
    MAX_SHAPES,
    MAX_TOKENS,
    NAME_OF_XCOLOR,
    STYLE_KEYS,
    UNITS,
    UNSUPPORTED_OPS,
    XCOLOR,
    TIKZ_TOKEN_RE,
    clean_label,
    ellipse_points,
    Interp,
    parse_num,
    Opts,
    path_points,
    split_top,
    Tok,
    tokenize,
)

__all__ = [
    "MAX_ABS", "MAX_CHARS", "MAX_DEPTH", "MAX_POINTS", "MAX_SHAPES", "MAX_TOKENS", "NAME_OF_XCOLOR",
    "STYLE_KEYS", "TIKZ_SHOT", "UNITS", "UNSUPPORTED_OPS", "XCOLOR", "ask_llm_tikz", "layout_to_tikz",
    "tikz_to_layout", "tokenize",
]


def _node(it: Interp, toks: list[Tok], line: int) -> None:
    o = Opts()
    at = None
    label = None
    name = None
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "opt":
            o = it.options(t.text, t.line)
        elif t.kind == "paren" and at is None and i > 0 and toks[i - 1].kind == "word" and toks[i - 1].text == "at":
            at = it.apply(it.coord(t.text, t.line))
        elif t.kind == "paren" and name is None:
            name = t.text.strip()
        elif t.kind == "group":
            label = clean_label(t.text)
        elif t.kind == "word" and t.text == "at":
            pass
        else:
            raise InputError(f"line {t.line}: unexpected {t.text!r} in \\node")
        i += 1
    if at is None:
        at = it.apply((0.0, 0.0))
    if name:
        it.names[name] = at
    if label is None:
        raise InputError(f"line {line}: \\node needs a {{label}}")
    if o.shape and (o.fill or o.draw or o.flags & {"fill", "draw"}):
        r = (o.min_size or 1.0) / 2
        sx, sy, _, _ = it.transforms[-1]
        pts = (ellipse_points(at, r * sx, r * sy) if o.shape in ("circle", "ellipse")
               else [(at[0] - r * sx, at[1] - r * sy), (at[0] + r * sx, at[1] - r * sy),
                     (at[0] + r * sx, at[1] + r * sy), (at[0] - r * sx, at[1] + r * sy)])
        it.add_shape(pts, o.shape, o, "\\filldraw" if (o.fill or "fill" in o.flags) else "\\draw", line, label)
    else:
        it.labels.append((at, label))


def _definecolor(it: Interp, toks: list[Tok], i: int) -> int:
    if i + 3 > len(toks) or any(t.kind != "group" for t in toks[i:i + 3]):
        raise InputError(f"line {toks[i - 1].line}: \\definecolor needs {{name}}{{model}}{{values}}")
    name, model, vals = (t.text.strip() for t in toks[i:i + 3])
    line = toks[i].line
    try:
        if model == "HTML":
            rgb = tuple(int(vals[k:k + 2], 16) for k in (0, 2, 4))
        else:
            parts = [float(v) for v in vals.split(",")]
            if len(parts) != 3:
                raise ValueError
            mult = 255.0 if model == "rgb" else 1.0
            if model not in ("rgb", "RGB"):
                raise ValueError
            rgb = tuple(int(max(0, min(255, p * mult))) for p in parts)
    except ValueError:
        raise InputError(f"line {line}: cannot read colour {name!r} ({model}: {vals})") from None
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
        raise InputError(f"line {line}: bad colour name {name!r}")
    it.colors[name.lower()] = rgb  # type: ignore[assignment]
    return i + 3


def _label_name(label: str) -> tuple[str | None, str | None]:
    """(noun, colour) from a label like 'a red balloon'."""
    from .parse import TOKEN_RE, _parse_np

    words = [w for w in TOKEN_RE.findall(label.lower()) if w not in ",.;:!?"]
    if not words:
        return None, None
    np_ = _parse_np(words)
    return np_.noun, np_.color


def _shape_name(s: dict) -> str:
    kind, pts = s["kind"], s["points"]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    if kind == "rectangle":
        return "square" if abs(w - h) <= 0.1 * max(w, h, 1e-9) else "rectangle"
    if kind == "circle":
        return "circle"
    if kind == "ellipse":
        return "oval"
    if kind == "line":
        return "line"
    uniq = len({(round(x, 6), round(y, 6)) for x, y in pts})
    return {3: "triangle", 4: "diamond", 6: "hexagon", 10: "star"}.get(uniq, "polygon")


def tikz_to_layout(src: str, *, width: int | None = None, height: int | None = None) -> Layout:
    """Interpret a TikZ-subset program into a :class:`Layout` (one object per closed shape)."""
    toks = tokenize(src)
    it = Interp()
    i, n = 0, len(toks)
    env: list[str] = []
    while i < n:
        t = toks[i]
        if t.kind == "semi":
            i += 1
            continue
        if t.kind != "cmd":
            raise InputError(f"line {t.line}: expected a command such as \\draw, found {t.text!r}")
        cmd = t.text
        if cmd in ("\\begin", "\\end"):
            if i + 1 >= n or toks[i + 1].kind != "group":
                raise InputError(f"line {t.line}: {cmd} needs {{environment}}")
            name = toks[i + 1].text.strip()
            i += 2
            if cmd == "\\begin":
                o = Opts()
                if i < n and toks[i].kind == "opt":
                    o = it.options(toks[i].text, toks[i].line) if name in ("tikzpicture", "scope") else Opts()
                    i += 1
                env.append(name)
                it.push(o)
            else:
                if env:
                    env.pop()
                    it.transforms.pop()
            continue
        if cmd == "\\definecolor":
            i = _definecolor(it, toks, i + 1)
            continue
        if cmd in ("\\documentclass", "\\usepackage", "\\usetikzlibrary", "\\tikzset", "\\pagestyle"):
            i += 1
            while i < n and toks[i].kind in ("opt", "group"):
                i += 1
            continue
        # statements ending in ';'
        j = i + 1
        while j < n and toks[j].kind != "semi":
            if toks[j].kind == "cmd":
                raise InputError(f"line {toks[j].line}: missing ';' before {toks[j].text}")
            j += 1
        body = toks[i + 1:j]
        o = Opts()
        if body and body[0].kind == "opt" and cmd != "\\node":
            o = it.options(body[0].text, body[0].line)
            body = body[1:]
        if cmd in ("\\draw", "\\fill", "\\filldraw", "\\path", "\\useasboundingbox", "\\clip"):
            it.push(o)
            path_points(it, cmd, o, body, t.line)
            it.transforms.pop()
        elif cmd == "\\node":
            _node(it, body, t.line)
        elif cmd == "\\coordinate":
            if len(body) < 3 or body[0].kind != "paren" or body[-1].kind != "paren":
                raise InputError(f"line {t.line}: \\coordinate (name) at (x,y);")
            it.names[body[0].text.strip()] = it.coord(body[-1].text, t.line)
        else:
            raise InputError(f"line {t.line}: {cmd} is not in the supported TikZ subset "
                             "(\\draw, \\fill, \\filldraw, \\node, \\coordinate, \\definecolor)")
        i = j + 1
    shapes = [s for s in it.shapes if s["kind"] != "line" or s["fill"] is None]
    if not shapes:
        raise InputError("the TikZ program draws no shapes")
    # labels from separate \node statements: the latest shape that contains the point
    for (px, py), label in it.labels:
        for s in reversed(shapes):
            xs, ys = [p[0] for p in s["points"]], [p[1] for p in s["points"]]
            if min(xs) <= px <= max(xs) and min(ys) <= py <= max(ys) and not s["label"]:
                s["label"] = label
                break
    if it.canvas is not None:
        cx0, cy0, cx1, cy1 = it.canvas
    else:
        xs = [p[0] for s in shapes for p in s["points"]]
        ys = [p[1] for s in shapes for p in s["points"]]
        cx0, cx1, cy0, cy1 = min(xs), max(xs), min(ys), max(ys)
        mx, my = 0.05 * (cx1 - cx0 or 1), 0.05 * (cy1 - cy0 or 1)
        cx0, cx1, cy0, cy1 = cx0 - mx, cx1 + mx, cy0 - my, cy1 + my
    cw, ch = max(cx1 - cx0, 1e-6), max(cy1 - cy0, 1e-6)
    if width is None or height is None:
        long_side = 512
        width, height = (long_side, max(8, round(long_side * ch / cw))) if cw >= ch else \
            (max(8, round(long_side * cw / ch)), long_side)
    objects = []
    for depth, s in enumerate(shapes):
        poly = [(min(max((x - cx0) / cw, 0.0), 1.0), min(max((cy1 - y) / ch, 0.0), 1.0)) for x, y in s["points"]]
        xs, ys = [p[0] for p in poly], [p[1] for p in poly]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if x1 - x0 < 1e-3 or y1 - y0 < 1e-3:
            if x1 - x0 < 1e-3:
                x0, x1 = max(0.0, x0 - 0.005), min(1.0, x1 + 0.005)
            if y1 - y0 < 1e-3:
                y0, y1 = max(0.0, y0 - 0.005), min(1.0, y1 + 0.005)
        noun, lcolor = _label_name(s["label"]) if s["label"] else (None, None)
        color = it.color_name(s["fill"] or s["draw"]) or lcolor
        if lcolor and s["fill"] is None and s["draw"] is None:
            color = lcolor
        objects.append(SceneObject(name=noun or _shape_name(s), color=color, box=(x0, y0, x1, y1),
                                   polygon=[(round(x, 5), round(y, 5)) for x, y in poly], depth=depth,
                                   caption=s["label"] or None))
    return Layout(width=width, height=height, objects=objects, caption="", background="")


# -- Layout -> TikZ --------------------------------------------------------------------------

def _tikz_color(name: str | None) -> str | None:
    if not name:
        return None
    c = lx.canonical_color(name)
    return c if c else None


def layout_to_tikz(layout: Layout, *, units: float = 10.0) -> str:
    """Write ``layout`` as a TikZ program (compiles with LaTeX; :func:`tikz_to_layout` reads it back)."""
    W = units
    H = units * layout.height / layout.width
    used = {_tikz_color(o.color) for o in layout.objects} - {None}
    lines = [f"% limner layout: {clean_label(layout.caption)}" if layout.caption else "% limner layout",
             "\\begin{tikzpicture}"]
    for c in sorted(used):
        if c not in XCOLOR:
            r, g, b = lx.COLORS[c]
            lines.append(f"\\definecolor{{{c}}}{{RGB}}{{{r},{g},{b}}}")
    lines.append(f"\\useasboundingbox (0,0) rectangle ({W:.3f},{H:.3f});")

    def pt(x: float, y: float) -> str:
        return f"({x * W:.3f},{(1 - y) * H:.3f})"

    for o in sorted(layout.objects, key=lambda o: o.depth):
        c = _tikz_color(o.color)
        style = f"fill={c}, draw=black" if c else "draw=black"
        x0, y0, x1, y1 = o.box
        outline = object_outline(o.name, o.box, o.polygon)
        if o.name in ("circle", "oval", "ellipse", "ball", "balloon") and not o.polygon:
            path = (f"{pt((x0 + x1) / 2, (y0 + y1) / 2)} ellipse [x radius={(x1 - x0) / 2 * W:.3f}, "
                    f"y radius={(y1 - y0) / 2 * H:.3f}]")
        elif len(outline) == 4 and not o.polygon:
            path = f"{pt(x0, y1)} rectangle {pt(x1, y0)}"
        else:
            path = " -- ".join(pt(x, y) for x, y in outline) + " -- cycle"
        lines.append(f"\\filldraw[{style}] {path};")
        label = clean_label(" ".join(w for w in (o.color, o.name) if w))
        lines.append(f"\\node at {pt((x0 + x1) / 2, (y0 + y1) / 2)} {{{label}}};")
    lines.append("\\end{tikzpicture}")
    return "\n".join(lines) + "\n"


TIKZ_SHOT = r"""% A 10x10 canvas, origin bottom-left. One shape per object, then a node with its name.
% Request: a red circle to the left of two blue squares
\begin{tikzpicture}
\filldraw[fill=red] (2,5) circle [radius=1.3];
\node at (2,5) {red circle};
\filldraw[fill=blue] (6,6.5) rectangle (8.5,9);
\node at (7.2,7.7) {blue square};
\filldraw[fill=blue] (6,1) rectangle (8.5,3.5);
\node at (7.2,2.2) {blue square};
\end{tikzpicture}

% Request: a photo of a dog above a green car
\begin{tikzpicture}
\filldraw[fill=white] (3.5,6) rectangle (6.5,9.5);
\node at (5,7.7) {dog};
\filldraw[fill=green] (2,1) rectangle (8,4);
\node at (5,2.5) {green car};
\end{tikzpicture}

"""


def ask_llm_tikz(llm, prompt: str, c, *, seed: int = 0, temperature: float = 0.0) -> str:
    """Ask the LLM for a TikZ sketch of ``prompt`` (Control-GPT); returns the program text."""
    max_tokens = min(60 + 45 * max(c.total, 1), 800)
    head = TIKZ_SHOT + f"% Request: {' '.join(prompt.split())}\n\\begin{{tikzpicture}}\n"
    if getattr(llm, "kind", "chat") == "base":
        body = llm.complete(head, seed=seed, temperature=temperature, max_tokens=max_tokens,
                            stop=["\\end{tikzpicture}"])
    else:
        from ..llm.base import Message

        body = llm.chat([Message("system", "Write a TikZ picture, using only \\filldraw shapes and \\node "
                                 "labels, on a 10x10 canvas (origin bottom-left). Reply with the body only."),
                         Message("user", head)], seed=seed, temperature=temperature,
                        max_tokens=max_tokens, stop=["\\end{tikzpicture}"])
    body = str(body).split("\\end{tikzpicture}")[0]
    return "\\begin{tikzpicture}\n" + body.strip() + "\n\\end{tikzpicture}\n"
