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
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..schema import Layout, SceneObject
from . import lexicon as lx
from .sketch import object_outline

MAX_CHARS = 200_000
MAX_TOKENS = 100_000
MAX_SHAPES = 256
MAX_POINTS = 2_000
MAX_DEPTH = 16
MAX_ABS = 1e5
UNITS = {"": 1.0, "cm": 1.0, "mm": 0.1, "pt": 1 / 28.4528, "bp": 2.54 / 72, "in": 2.54, "em": 0.35, "ex": 0.15}
XCOLOR = {
    "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "cyan": (0, 255, 255),
    "magenta": (255, 0, 255), "yellow": (255, 255, 0), "black": (0, 0, 0), "gray": (128, 128, 128),
    "grey": (128, 128, 128), "white": (255, 255, 255), "darkgray": (64, 64, 64),
    "lightgray": (191, 191, 191), "brown": (191, 128, 64), "lime": (191, 255, 0),
    "olive": (128, 128, 0), "orange": (255, 128, 0), "pink": (255, 191, 191),
    "purple": (191, 0, 64), "teal": (0, 128, 128), "violet": (128, 0, 128),
}
NAME_OF_XCOLOR = {"magenta": "pink", "lime": "green", "olive": "green", "darkgray": "gray",
                  "lightgray": "gray", "grey": "gray", "violet": "purple", "cyan": "cyan", "teal": "teal"}
STYLE_KEYS = {"thick", "thin", "very thick", "ultra thick", "very thin", "ultra thin", "dashed",
              "dotted", "densely dotted", "loosely dashed", "solid", "rounded corners", "sharp corners",
              "line width", "opacity", "fill opacity", "draw opacity", "text", "font", "anchor",
              "above", "below", "left", "right", "midway", "near start", "near end", "pos",
              "inner sep", "outer sep", "align", "text width", "line cap", "line join", "double",
              "pattern", "pattern color", "shading", "top color", "bottom color", "ball color",
              "transform shape", "use as bounding box", "every node/.style", "label", "sloped",
              "rotate", "xslant", "yslant", "minimum width", "minimum height", "even odd rule",
              "nonzero rule", "overlay", "shape", "at", "name"}
UNSUPPORTED_OPS = {"arc", "grid", "parabola", "sin", "cos", "controls", "plot", "edge", "child",
                   "svg", "let", "foreach", "pic"}

_TOKEN = re.compile(r"""
    (?P<ws>\s+) | (?P<comment>%[^\n]*) | (?P<cmd>\\[A-Za-z]+) | (?P<pp>\+\+) | (?P<plus>\+)
  | (?P<dash>--) | (?P<semi>;) | (?P<word>[A-Za-z][A-Za-z\-]*) | (?P<num>-?\d+(?:\.\d*)?|-?\.\d+)
  | (?P<dots>\.\.)
""", re.X)


@dataclass
class _Tok:
    kind: str  # cmd pp plus dash semi word num paren opt group
    text: str
    line: int


def tokenize(src: str) -> list[_Tok]:
    """Split ``src`` into tokens; parentheses, brackets and braces are captured whole (bounded)."""
    if not isinstance(src, str):
        raise InputError("a TikZ program must be text")
    if len(src) > MAX_CHARS:
        raise InputError(f"the TikZ program is {len(src)} characters; at most {MAX_CHARS}")
    toks: list[_Tok] = []
    i, n, line = 0, len(src), 1
    pairs = {"(": ")", "[": "]", "{": "}"}
    kinds = {"(": "paren", "[": "opt", "{": "group"}
    while i < n:
        if len(toks) > MAX_TOKENS:
            raise InputError(f"the TikZ program has more than {MAX_TOKENS} tokens")
        ch = src[i]
        if ch in pairs:
            depth, j = 0, i
            stack = []
            while j < n:
                c = src[j]
                if c in pairs:
                    stack.append(pairs[c])
                elif stack and c == stack[-1]:
                    stack.pop()
                    if not stack:
                        break
                elif c in ")]}" and ch != "{":
                    raise InputError(f"line {line}: unbalanced {c!r} inside {ch!r}")
                elif c == "\n":
                    depth += 1
                j += 1
            if j >= n:
                raise InputError(f"line {line}: {ch!r} is never closed")
            toks.append(_Tok(kinds[ch], src[i + 1:j], line))
            line += depth
            i = j + 1
            continue
        m = _TOKEN.match(src, i)
        if not m:
            raise InputError(f"line {line}: unexpected character {ch!r} (not in the supported TikZ subset)")
        kind = m.lastgroup or ""
        text = m.group()
        line += text.count("\n")
        i = m.end()
        if kind in ("ws", "comment"):
            continue
        toks.append(_Tok(kind, text, line))
    return toks


# -- values ----------------------------------------------------------------------------------

def _num(text: str, line: int) -> float:
    m = re.fullmatch(r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-z]*)\s*", text)
    if not m or m.group(2) not in UNITS:
        raise InputError(f"line {line}: {text.strip()!r} is not a number (expressions are not supported)")
    v = float(m.group(1)) * UNITS[m.group(2)]
    if not math.isfinite(v) or abs(v) > MAX_ABS:
        raise InputError(f"line {line}: {text.strip()!r} is out of range")
    return v


def _split_top(text: str, sep: str = ",") -> list[str]:
    out, depth, cur = [], 0, []
    for c in text:
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        if c == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return [s.strip() for s in out if s.strip()]


@dataclass
class _Opts:
    fill: str | None = None
    draw: str | None = None
    color: str | None = None
    scale: tuple[float, float] = (1.0, 1.0)
    shift: tuple[float, float] = (0.0, 0.0)
    radius: float | None = None
    xr: float | None = None
    yr: float | None = None
    min_size: float | None = None
    shape: str | None = None
    bbox: bool = False
    flags: set[str] = field(default_factory=set)


class _Interp:
    def __init__(self) -> None:
        self.colors: dict[str, tuple[int, int, int]] = dict(XCOLOR)
        self.names: dict[str, tuple[float, float]] = {}
        # each shape: dict(points, fill, draw, label, kind, closed)
        self.shapes: list[dict] = []
        self.labels: list[tuple[tuple[float, float], str]] = []
        self.canvas: tuple[float, float, float, float] | None = None
        self.transforms: list[tuple[float, float, float, float]] = [(1.0, 1.0, 0.0, 0.0)]
        self.notes: list[str] = []

    # colour expressions: red, red!50, red!50!blue, custom names
    def color(self, expr: str, line: int) -> str | None:
        expr = expr.strip().lower()
        if expr in ("none", ""):
            return None
        parts = expr.split("!")
        base = parts[0].strip()
        if base not in self.colors:
            raise InputError(f"line {line}: unknown colour {base!r}")
        for p in parts[1:]:
            if not re.fullmatch(r"\s*[a-z0-9.]+\s*", p):
                raise InputError(f"line {line}: bad colour expression {expr!r}")
        return base

    def color_name(self, tikz_color: str | None) -> str | None:
        if tikz_color is None:
            return None
        c = lx.canonical_color(tikz_color) or NAME_OF_XCOLOR.get(tikz_color)
        if c:
            return c
        rgb = self.colors.get(tikz_color)
        if rgb is None:
            return None
        return min(lx.COLORS, key=lambda k: sum((a - b) ** 2 for a, b in zip(lx.COLORS[k], rgb)))

    def options(self, text: str, line: int) -> _Opts:
        o = _Opts()
        sx = sy = 1.0
        tx = ty = 0.0
        for item in _split_top(text):
            key, _, val = item.partition("=")
            key, val = " ".join(key.split()).lower(), val.strip()
            if val.startswith("{") and val.endswith("}"):
                val = val[1:-1].strip()
            if key in ("fill", "draw", "color") and val:
                setattr(o, key, self.color(val, line))
            elif key in ("fill", "draw") and not val:
                o.flags.add(key)
            elif key == "scale":
                s = _num(val, line)
                sx, sy = sx * s, sy * s
            elif key == "xscale":
                sx *= _num(val, line)
            elif key == "yscale":
                sy *= _num(val, line)
            elif key == "xshift":
                tx += _num(val, line)
            elif key == "yshift":
                ty += _num(val, line)
            elif key == "shift":
                dx, dy = self.coord(val.strip("()"), line, raw=True)
                tx, ty = tx + dx, ty + dy
            elif key == "radius":
                o.radius = _num(val, line)
            elif key == "x radius":
                o.xr = _num(val, line)
            elif key == "y radius":
                o.yr = _num(val, line)
            elif key == "minimum size":
                o.min_size = _num(val, line)
            elif key in ("circle", "rectangle", "ellipse") and not val:
                o.shape = key
            elif key == "use as bounding box":
                o.bbox = True
            elif not val and (key.split("!")[0] in self.colors):
                o.color = self.color(key, line)
            elif key in STYLE_KEYS or key.endswith("/.style") or key.startswith("every "):
                continue
            else:
                raise InputError(f"line {line}: unsupported option {item!r}")
        o.scale, o.shift = (sx, sy), (tx, ty)
        return o

    def push(self, o: _Opts) -> None:
        if len(self.transforms) > MAX_DEPTH:
            raise InputError(f"scopes are nested more than {MAX_DEPTH} deep")
        osx, osy, otx, oty = self.transforms[-1]
        self.transforms.append((osx * o.scale[0], osy * o.scale[1],
                                otx + osx * o.shift[0], oty + osy * o.shift[1]))

    def apply(self, p: tuple[float, float]) -> tuple[float, float]:
        sx, sy, tx, ty = self.transforms[-1]
        return (p[0] * sx + tx, p[1] * sy + ty)

    def coord(self, text: str, line: int, raw: bool = False) -> tuple[float, float]:
        t = text.strip()
        if "," in t:
            a, _, b = t.partition(",")
            return (_num(a, line), _num(b, line))
        if ":" in t:
            a, _, r = t.partition(":")
            ang, rad = math.radians(_num(a, line)), _num(r, line)
            return (rad * math.cos(ang), rad * math.sin(ang))
        name = t.split(".")[0].strip()
        if name in self.names and not raw:
            return self.names[name]
        raise InputError(f"line {line}: ({t}) is not a coordinate")

    def add_shape(self, pts, kind: str, o: _Opts, cmd: str, line: int, label: str | None = None) -> None:
        if len(self.shapes) >= MAX_SHAPES:
            raise InputError(f"the TikZ program draws more than {MAX_SHAPES} shapes")
        filled = cmd in ("\\fill", "\\filldraw") or "fill" in o.flags or o.fill is not None
        fill = o.fill or (o.color if filled else None)
        draw = o.draw or o.color
        self.shapes.append({"points": pts, "kind": kind, "fill": fill if filled else None,
                            "draw": draw, "label": label, "line": line})


def _ellipse(c: tuple[float, float], a: float, b: float, n: int = 32) -> list[tuple[float, float]]:
    return [(c[0] + a * math.cos(2 * math.pi * k / n), c[1] + b * math.sin(2 * math.pi * k / n)) for k in range(n)]


def _path(it: _Interp, cmd: str, o: _Opts, toks: list[_Tok], line: int) -> None:
    """Interpret one path statement's tokens (after its options)."""
    cur: tuple[float, float] | None = None
    sub: list[tuple[float, float]] = []
    made: list[int] = []
    i, n = 0, len(toks)
    pending_line = False

    def flush(closed: bool) -> None:
        nonlocal sub
        if len(sub) >= 2:
            if cmd != "\\path" or o.bbox:
                it.add_shape([it.apply(p) for p in sub], "polygon" if (closed or len(sub) >= 3) else "line", o, cmd, line)
                made.append(len(it.shapes) - 1)
        sub = []

    def point(t: _Tok, rel: str | None) -> tuple[float, float]:
        p = it.coord(t.text, t.line)
        if rel and cur is None:
            raise InputError(f"line {t.line}: a relative coordinate needs a start point")
        return (cur[0] + p[0], cur[1] + p[1]) if rel else p  # type: ignore[index]

    while i < n:
        t = toks[i]
        if t.kind in ("pp", "plus") and i + 1 < n and toks[i + 1].kind == "paren":
            p = point(toks[i + 1], t.kind)
            if pending_line:
                sub.append(p)
            else:
                flush(False)
                sub = [p]
            cur = p if t.kind == "pp" else cur
            pending_line = False
            i += 2
            continue
        if t.kind == "paren":
            p = point(t, None)
            if pending_line:
                sub.append(p)
            else:
                flush(False)
                sub = [p]
            cur, pending_line = p, False
            i += 1
            continue
        if t.kind == "dash" or (t.kind == "word" and t.text == "to"):
            if cur is None:
                raise InputError(f"line {t.line}: '--' needs a start point")
            pending_line = True
            i += 1
            continue
        if t.kind == "word" and t.text == "cycle":
            if not pending_line:
                raise InputError(f"line {t.line}: 'cycle' must follow '--'")
            flush(True)
            pending_line = False
            i += 1
            continue
        if t.kind == "word" and t.text == "rectangle":
            if cur is None or i + 1 >= n or toks[i + 1].kind not in ("paren", "pp", "plus"):
                raise InputError(f"line {t.line}: 'rectangle' needs two corners")
            if toks[i + 1].kind == "paren":
                q, step = point(toks[i + 1], None), 2
            else:
                if i + 2 >= n or toks[i + 2].kind != "paren":
                    raise InputError(f"line {t.line}: 'rectangle' needs two corners")
                q, step = point(toks[i + 2], toks[i + 1].kind), 3
            sub = []
            rect = [cur, (q[0], cur[1]), q, (cur[0], q[1])]
            if o.bbox or cmd == "\\useasboundingbox" or cmd == "\\clip":
                a, b = it.apply(cur), it.apply(q)
                it.canvas = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            elif cmd != "\\path":
                it.add_shape([it.apply(p) for p in rect], "rectangle", o, cmd, t.line)
                made.append(len(it.shapes) - 1)
            cur = q
            i += step
            continue
        if t.kind == "word" and t.text in ("circle", "ellipse"):
            if cur is None:
                raise InputError(f"line {t.line}: '{t.text}' needs a centre")
            a = b = o.radius
            a, b = (o.xr or a), (o.yr or b)
            if i + 1 < n and toks[i + 1].kind == "opt":
                oo = it.options(toks[i + 1].text, t.line)
                a = oo.xr or oo.radius or a
                b = oo.yr or oo.radius or b
                i += 1
            elif i + 1 < n and toks[i + 1].kind == "paren":
                txt = toks[i + 1].text
                if " and " in txt:
                    x, _, y = txt.partition(" and ")
                    a, b = _num(x, t.line), _num(y, t.line)
                else:
                    a = b = _num(txt, t.line)
                i += 1
            if a is None or b is None or a <= 0 or b <= 0:
                raise InputError(f"line {t.line}: '{t.text}' needs a positive radius")
            flush(False)
            if cmd != "\\path":
                it.add_shape([it.apply(p) for p in _ellipse(cur, a, b)], "circle" if abs(a - b) < 1e-9 else "ellipse", o, cmd, t.line)
                made.append(len(it.shapes) - 1)
            i += 1
            continue
        if t.kind == "word" and t.text == "node":
            j = i + 1
            while j < n and toks[j].kind in ("opt", "paren") or (j < n and toks[j].kind == "word" and toks[j].text == "at"):
                j += 1
            if j >= n or toks[j].kind != "group":
                raise InputError(f"line {t.line}: 'node' needs a {{label}}")
            flush(False)
            label = _clean_label(toks[j].text)
            if made:
                it.shapes[made[-1]]["label"] = it.shapes[made[-1]]["label"] or label
            elif cur is not None:
                it.labels.append((it.apply(cur), label))
            i = j + 1
            continue
        if t.kind == "word" and t.text in UNSUPPORTED_OPS:
            raise InputError(f"line {t.line}: the path operation '{t.text}' is not in the supported TikZ subset")
        raise InputError(f"line {t.line}: unexpected {t.text!r} in a path")
    if len(sub) > MAX_POINTS:
        raise InputError(f"line {line}: a path has more than {MAX_POINTS} points")
    flush(cmd in ("\\fill", "\\filldraw"))


def _clean_label(text: str) -> str:
    text = re.sub(r"\\[A-Za-z]+", " ", text)
    text = re.sub(r"[{}$\\%#&_^~]", " ", text)
    return " ".join(text.split())[:80]


def _node(it: _Interp, toks: list[_Tok], line: int) -> None:
    o = _Opts()
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
            label = _clean_label(t.text)
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
        pts = (_ellipse(at, r * sx, r * sy) if o.shape in ("circle", "ellipse")
               else [(at[0] - r * sx, at[1] - r * sy), (at[0] + r * sx, at[1] - r * sy),
                     (at[0] + r * sx, at[1] + r * sy), (at[0] - r * sx, at[1] + r * sy)])
        it.add_shape(pts, o.shape, o, "\\filldraw" if (o.fill or "fill" in o.flags) else "\\draw", line, label)
    else:
        it.labels.append((at, label))


def _definecolor(it: _Interp, toks: list[_Tok], i: int) -> int:
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
    it = _Interp()
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
                o = _Opts()
                if i < n and toks[i].kind == "opt":
                    o = it.options(toks[i].text, toks[i].line) if name in ("tikzpicture", "scope") else _Opts()
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
        o = _Opts()
        if body and body[0].kind == "opt" and cmd != "\\node":
            o = it.options(body[0].text, body[0].line)
            body = body[1:]
        if cmd in ("\\draw", "\\fill", "\\filldraw", "\\path", "\\useasboundingbox", "\\clip"):
            it.push(o)
            _path(it, cmd, o, body, t.line)
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
    lines = [f"% limner layout: {_clean_label(layout.caption)}" if layout.caption else "% limner layout",
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
        label = _clean_label(" ".join(w for w in (o.color, o.name) if w))
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
