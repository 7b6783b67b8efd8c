"""The safe TikZ-subset interpreter core used by :mod:`limner.plan.tikz`.

Limits, the bounded tokenizer, value readers (numbers with units, colours, options), the
interpreter state (:class:`Interp`) and path statements. Nothing is evaluated or executed:
see :mod:`limner.plan.tikz` for the supported subset.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..errors import InputError
from . import lexicon as lx

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

TIKZ_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+) | (?P<comment>%[^\n]*) | (?P<cmd>\\[A-Za-z]+) | (?P<pp>\+\+) | (?P<plus>\+)
  | (?P<dash>--) | (?P<semi>;) | (?P<word>[A-Za-z][A-Za-z\-]*) | (?P<num>-?\d+(?:\.\d*)?|-?\.\d+)
  | (?P<dots>\.\.)
""", re.X)


@dataclass
class Tok:
    kind: str  # cmd pp plus dash semi word num paren opt group
    text: str
    line: int


def tokenize(src: str) -> list[Tok]:
    """Split ``src`` into tokens; parentheses, brackets and braces are captured whole (bounded)."""
    if not isinstance(src, str):
        raise InputError("a TikZ program must be text")
    if len(src) > MAX_CHARS:
        raise InputError(f"the TikZ program is {len(src)} characters; at most {MAX_CHARS}")
    toks: list[Tok] = []
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
            toks.append(Tok(kinds[ch], src[i + 1:j], line))
            line += depth
            i = j + 1
            continue
        m = TIKZ_TOKEN_RE.match(src, i)
        if not m:
            raise InputError(f"line {line}: unexpected character {ch!r} (not in the supported TikZ subset)")
        kind = m.lastgroup or ""
        text = m.group()
        line += text.count("\n")
        i = m.end()
        if kind in ("ws", "comment"):
            continue
        toks.append(Tok(kind, text, line))
    return toks


# -- values ----------------------------------------------------------------------------------

def parse_num(text: str, line: int) -> float:
    m = re.fullmatch(r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*([a-z]*)\s*", text)
    if not m or m.group(2) not in UNITS:
        raise InputError(f"line {line}: {text.strip()!r} is not a number (expressions are not supported)")
    v = float(m.group(1)) * UNITS[m.group(2)]
    if not math.isfinite(v) or abs(v) > MAX_ABS:
        raise InputError(f"line {line}: {text.strip()!r} is out of range")
    return v


def split_top(text: str, sep: str = ",") -> list[str]:
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


def clean_label(text: str) -> str:
    text = re.sub(r"\\[A-Za-z]+", " ", text)
    text = re.sub(r"[{}$\\%#&_^~]", " ", text)
    return " ".join(text.split())[:80]


@dataclass
class Opts:
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


class Interp:
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

    def options(self, text: str, line: int) -> Opts:
        o = Opts()
        sx = sy = 1.0
        tx = ty = 0.0
        for item in split_top(text):
            key, _, val = item.partition("=")
            key, val = " ".join(key.split()).lower(), val.strip()
            if val.startswith("{") and val.endswith("}"):
                val = val[1:-1].strip()
            if key in ("fill", "draw", "color") and val:
                setattr(o, key, self.color(val, line))
            elif key in ("fill", "draw") and not val:
                o.flags.add(key)
            elif key == "scale":
                s = parse_num(val, line)
                sx, sy = sx * s, sy * s
            elif key == "xscale":
                sx *= parse_num(val, line)
            elif key == "yscale":
                sy *= parse_num(val, line)
            elif key == "xshift":
                tx += parse_num(val, line)
            elif key == "yshift":
                ty += parse_num(val, line)
            elif key == "shift":
                dx, dy = self.coord(val.strip("()"), line, raw=True)
                tx, ty = tx + dx, ty + dy
            elif key == "radius":
                o.radius = parse_num(val, line)
            elif key == "x radius":
                o.xr = parse_num(val, line)
            elif key == "y radius":
                o.yr = parse_num(val, line)
            elif key == "minimum size":
                o.min_size = parse_num(val, line)
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

    def push(self, o: Opts) -> None:
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
            return (parse_num(a, line), parse_num(b, line))
        if ":" in t:
            a, _, r = t.partition(":")
            ang, rad = math.radians(parse_num(a, line)), parse_num(r, line)
            return (rad * math.cos(ang), rad * math.sin(ang))
        name = t.split(".")[0].strip()
        if name in self.names and not raw:
            return self.names[name]
        raise InputError(f"line {line}: ({t}) is not a coordinate")

    def add_shape(self, pts, kind: str, o: Opts, cmd: str, line: int, label: str | None = None) -> None:
        if len(self.shapes) >= MAX_SHAPES:
            raise InputError(f"the TikZ program draws more than {MAX_SHAPES} shapes")
        filled = cmd in ("\\fill", "\\filldraw") or "fill" in o.flags or o.fill is not None
        fill = o.fill or (o.color if filled else None)
        draw = o.draw or o.color
        self.shapes.append({"points": pts, "kind": kind, "fill": fill if filled else None,
                            "draw": draw, "label": label, "line": line})


def ellipse_points(c: tuple[float, float], a: float, b: float, n: int = 32) -> list[tuple[float, float]]:
    return [(c[0] + a * math.cos(2 * math.pi * k / n), c[1] + b * math.sin(2 * math.pi * k / n)) for k in range(n)]


def path_points(it: Interp, cmd: str, o: Opts, toks: list[Tok], line: int) -> None:
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

    def point(t: Tok, rel: str | None) -> tuple[float, float]:
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
                    a, b = parse_num(x, t.line), parse_num(y, t.line)
                else:
                    a = b = parse_num(txt, t.line)
                i += 1
            if a is None or b is None or a <= 0 or b <= 0:
                raise InputError(f"line {t.line}: '{t.text}' needs a positive radius")
            flush(False)
            if cmd != "\\path":
                it.add_shape([it.apply(p) for p in ellipse_points(cur, a, b)], "circle" if abs(a - b) < 1e-9 else "ellipse", o, cmd, t.line)
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
            label = clean_label(toks[j].text)
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
