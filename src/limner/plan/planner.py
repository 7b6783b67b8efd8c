"""The planner: request -> :class:`PlanResult` (LLM plan, verified and repaired; or the rules engine).

Flow (one entry, :func:`plan`):

1. :func:`parse_request` extracts the checkable constraints (no LLM);
2. ``planner="rules"``: the rules layout engine builds the plan (valid by construction);
   otherwise the LLM writes the layout, schema-constrained and validated by :mod:`limner.llm`:
   - ``mode="free"`` (default for chat models): a compact layout (names, colours, integer boxes
     on a 100x100 grid), so the LLM can add objects and read what the parser cannot;
   - ``mode="guided"`` (default for base models such as the embedded Gemma-270M, which gets about
     4/10 object lists right unaided): the parser's object list is given and the schema demands
     exactly one integer box per instance, so the LLM only places them (few tokens, few-shot);
3. :func:`verify` checks it; ``llm_only_ok`` records whether the LLM's own plan passed;
4. failures go back to the LLM once with the specific violations, then to the deterministic
   :func:`repair_layout`. Every change is recorded in ``PlanResult.repairs``.

With ``format="tikz"`` and an LLM, the LLM writes a TikZ-subset program (as Control-GPT does),
which the safe interpreter turns into a layout; the rest is the same.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError, LLMError, LLMOutputError, MissingExtraError
from ..schema import Layout, SceneObject
from .layout_engine import caption_for, rules_layout
from .lexicon import canonical_color, singularize
from .parse import parse_request
from .repair import align_names, repair_layout
from .types import Constraints, PlanResult, Repair
from .verify import MAX_OBJECTS, verify

FORMATS = ("json", "tikz")
MODES = ("auto", "free", "guided")
GRID = 100


class LLMObject(BaseModel):
    """One object as the LLM writes it: integer box on a 100x100 grid, origin top-left."""

    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=40)
    color: str | None = Field(default=None, max_length=20)
    box: list[Annotated[int, Field(ge=0, le=GRID)]] = Field(min_length=4, max_length=4)


class LLMLayout(BaseModel):
    """The compact layout schema sent to the LLM for constrained decoding."""

    model_config = ConfigDict(extra="ignore")
    objects: list[LLMObject] = Field(max_length=MAX_OBJECTS)


FEW_SHOT = """Layouts on a 100x100 canvas: x grows to the right, y grows downwards. One box [x0, y0, x1, y1] per object; "three cats" means three boxes.

Request: a red circle to the left of two blue squares
Layout:{"objects":[{"name":"circle","color":"red","box":[6,38,32,64]},{"name":"square","color":"blue","box":[58,12,84,38]},{"name":"square","color":"blue","box":[58,60,84,86]}]}

Request: a photo of a dog above a green car
Layout:{"objects":[{"name":"dog","color":null,"box":[35,6,65,40]},{"name":"car","color":"green","box":[18,56,82,90]}]}

Request: three yellow stars
Layout:{"objects":[{"name":"star","color":"yellow","box":[5,36,30,61]},{"name":"star","color":"yellow","box":[38,36,63,61]},{"name":"star","color":"yellow","box":[70,36,95,61]}]}

Request: a photo of a bird right of a purple cup
Layout:{"objects":[{"name":"bird","color":null,"box":[60,30,92,62]},{"name":"cup","color":"purple","box":[8,34,36,66]}]}

"""

FIX_SHOT = """Request: two red circles left of a blue square
Layout:{"objects":[{"name":"circle","color":"red","box":[60,30,85,55]},{"name":"square","color":"green","box":[10,30,40,60]}]}
Problems: needs 2 red circle(s), has 1; square should have color blue; circle should be left of square
Fixed layout:{"objects":[{"name":"circle","color":"red","box":[6,12,32,38]},{"name":"circle","color":"red","box":[6,60,32,86]},{"name":"square","color":"blue","box":[58,34,88,64]}]}

"""

CHAT_SYSTEM = ("You plan image layouts. Reply with JSON only: {\"objects\": [{\"name\": noun (singular), "
               "\"color\": colour or null, \"box\": [x0, y0, x1, y1]}]} with integer coordinates on a "
               "100x100 canvas, origin top-left (x right, y down). One box per object instance. "
               "Respect every count, colour and spatial relation in the request; boxes must not overlap much.")


GUIDED_SHOT = """Boxes on a 100x100 canvas: x grows to the right, y grows downwards. One box [x0,y0,x1,y1] per object, in the order listed.

Request: a red circle to the left of two blue squares
Objects: red circle; blue square; blue square
Boxes:{"boxes":[[6,38,32,64],[58,12,84,38],[58,60,84,86]]}

Request: a photo of a dog above a green car
Objects: dog; green car
Boxes:{"boxes":[[35,6,65,40],[18,56,82,90]]}

Request: a photo of a bird right of a purple cup
Objects: bird; purple cup
Boxes:{"boxes":[[60,30,92,62],[8,34,36,66]]}

Request: a photo of a cake below a clock
Objects: cake; clock
Boxes:{"boxes":[[30,58,70,92],[34,8,66,40]]}

Request: four apples
Objects: apple; apple; apple; apple
Boxes:{"boxes":[[8,10,42,44],[56,10,90,44],[8,56,42,90],[56,56,90,90]]}

"""

Box100 = Annotated[list[Annotated[int, Field(ge=0, le=GRID)]], Field(min_length=4, max_length=4)]


def guided_schema(n: int) -> type[BaseModel]:
    """Schema for guided planning: exactly ``n`` integer boxes (the objects come from the parser)."""
    from pydantic import create_model

    return create_model("GuidedLayout", __config__=ConfigDict(extra="ignore"),
                        boxes=(list[Box100], Field(min_length=n, max_length=n)))


def _instances(c: Constraints) -> list:
    return [spec for spec in c.objects for _ in range(spec.count)]


def _guided_prompt(prompt: str, c: Constraints) -> str:
    names = "; ".join(" ".join(w for w in (s.color, s.name) if w) for s in _instances(c))
    return f"Request: {' '.join(prompt.split())}\nObjects: {names}\nBoxes:"  # no space: the grammar starts at "{"


def _guided_layout(reply: Any, c: Constraints, width: int, height: int) -> Layout:
    objects = []
    for spec, box in zip(_instances(c), reply.boxes):
        x0, y0, x1, y1 = box
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        x1, y1 = max(x1, min(x0 + 2, GRID)), max(y1, min(y0 + 2, GRID))
        x0, y0 = min(x0, x1 - 2), min(y0, y1 - 2)
        objects.append(SceneObject(name=spec.name, color=spec.color, size=spec.size, texture=spec.texture,
                                   attributes=list(spec.attributes), box=(x0 / GRID, y0 / GRID, x1 / GRID, y1 / GRID)))
    return Layout(width=width, height=height, objects=objects)


def _ask_llm_guided(llm: Any, prompt: str, c: Constraints, seed: int, temperature: float,
                    previous: Layout | None = None, problems: list[str] | None = None) -> Any:
    n = c.total
    text = GUIDED_SHOT + _guided_prompt(prompt, c)
    if previous is not None:
        prev = json.dumps({"boxes": [[round(v * GRID) for v in o.box] for o in previous.objects]}, separators=(",", ":"))
        text += f"{prev}\nProblems: {'; '.join((problems or [])[:3])}\nFixed boxes:"
    return llm.complete(text, schema=guided_schema(n), seed=seed, temperature=temperature,
                        max_tokens=12 + 14 * n, stop=["\n"])


def _max_tokens(c: Constraints) -> int:
    return min(40 + 26 * max(c.total, 1) + 10, 460)


def llm_reply_to_layout(reply: LLMLayout, width: int, height: int) -> tuple[Layout, list[Repair]]:
    """Convert the LLM's compact reply into a :class:`Layout` (names singular, boxes normalized)."""
    fixes: list[Repair] = []
    objects = []
    for o in reply.objects[:MAX_OBJECTS]:
        name = singularize(" ".join(o.name.lower().split())) or "object"
        color = canonical_color(o.color.strip()) if o.color and o.color.strip().lower() not in ("null", "none") else None
        attrs = [] if not o.color or color or o.color.strip().lower() in ("null", "none") else [o.color.strip().lower()[:20]]
        x0, y0, x1, y1 = o.box
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        if x1 - x0 < 2 or y1 - y0 < 2:
            fixes.append(Repair(stage="normalize", kind="resize", message=f"widened the empty box of {name}"))
            x0, x1 = min(x0, GRID - 2), max(x1, min(x0, GRID - 2) + 2)
            y0, y1 = min(y0, GRID - 2), max(y1, min(y0, GRID - 2) + 2)
        objects.append(SceneObject(name=name, color=color, attributes=attrs,
                                   box=(x0 / GRID, y0 / GRID, x1 / GRID, y1 / GRID)))
    return Layout(width=width, height=height, objects=objects), fixes


def layout_to_compact(layout: Layout) -> str:
    objs = [{"name": o.name, "color": o.color, "box": [round(v * GRID) for v in o.box]} for o in layout.objects]
    return json.dumps({"objects": objs}, separators=(",", ":"))


def _ask_llm(llm: Any, prompt: str, c: Constraints, seed: int, temperature: float) -> LLMLayout:
    if getattr(llm, "kind", "chat") == "base":
        text = FEW_SHOT + f"Request: {prompt}\nLayout:"
        return llm.complete(text, schema=LLMLayout, seed=seed, temperature=temperature,
                            max_tokens=_max_tokens(c), stop=["\n"])
    from ..llm.base import Message

    return llm.chat([Message("system", CHAT_SYSTEM), Message("user", prompt)], schema=LLMLayout,
                    seed=seed, temperature=temperature, max_tokens=_max_tokens(c) + 100)


def _ask_llm_fix(llm: Any, prompt: str, c: Constraints, layout: Layout, problems: list[str],
                 seed: int, temperature: float) -> LLMLayout:
    probs = "; ".join(problems[:4])
    if getattr(llm, "kind", "chat") == "base":
        # same prefix as the first prompt, so llama.cpp reuses its cached prefill
        text = (FEW_SHOT + FIX_SHOT + f"Request: {prompt}\nLayout:{layout_to_compact(layout)}\n"
                f"Problems: {probs}\nFixed layout:")
        return llm.complete(text, schema=LLMLayout, seed=seed + 1, temperature=temperature,
                            max_tokens=_max_tokens(c), stop=["\n"])
    from ..llm.base import Message

    msgs = [Message("system", CHAT_SYSTEM), Message("user", prompt),
            Message("assistant", layout_to_compact(layout)),
            Message("user", f"This layout has problems: {probs}. Reply with the corrected layout JSON.")]
    return llm.chat(msgs, schema=LLMLayout, seed=seed + 1, temperature=temperature,
                    max_tokens=_max_tokens(c) + 100)


@lru_cache(maxsize=4)
def _load_llm(backend: str, base_url: str | None, model: str | None, cache: bool | None,
              timeout: float | None = None) -> Any:
    from ..llm import get_llm

    extra = {} if timeout is None else {"timeout": timeout}
    return get_llm(backend, base_url=base_url, model=model, cache=cache, **extra)


def _decorate(layout: Layout, c: Constraints, prompt: str) -> Layout:
    """Fill in captions, background and the scene caption the compact LLM schema leaves out."""
    objs = []
    for o in layout.objects:
        if o.caption:
            objs.append(o)
            continue
        spec = next((s for s in c.objects if s.name == o.name), None)
        if spec is not None and (o.color or None) == spec.color:
            cap = caption_for(spec)
        else:
            body = " ".join([w for w in (o.size, o.color, o.texture) if w] + o.attributes + [o.name])
            cap = ("an " if body[:1] in "aeiou" else "a ") + body
        objs.append(o.model_copy(update={"caption": cap}))
    return layout.model_copy(update={"objects": objs,
                                     "background": layout.background or c.background or "plain",
                                     "caption": layout.caption or prompt})


def plan(prompt: str, *, planner: str = "embedded", llm: Any = None, seed: int = 0,
         format: str = "json", width: int = 512, height: int = 512, base_url: str | None = None,
         model: str | None = None, cache: bool | None = None, llm_repair_rounds: int | None = None,
         timeout: float | None = None,
         temperature: float = 0.0, mode: str = "auto") -> PlanResult:
    """Plan a layout for ``prompt``.

    ``planner``: "rules" (no LLM), or an LLM backend id ("embedded", "openai", "llamacpp"); an
    ``llm`` object given directly is used as is. When the embedded LLM is not installed, the rules
    planner is used and a note says so. ``format="tikz"`` also returns the plan as a TikZ program
    (written by the LLM when there is one). ``llm_repair_rounds``: how often the LLM is asked again
    with the verifier's problems (default: what the backend declares, ``plan_repair_rounds``).
    """
    t0 = time.perf_counter()
    if mode not in MODES:
        raise InputError(f"unknown planner mode {mode!r}; use one of: {', '.join(MODES)}")
    if format not in FORMATS:
        raise InputError(f"unknown plan format {format!r}; use one of: {', '.join(FORMATS)}")
    if not (8 <= int(width) <= 8192 and 8 <= int(height) <= 8192):
        raise InputError(f"canvas {width}x{height} is out of range (8..8192 pixels a side)")
    if not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, not {seed!r}")
    c = parse_request(prompt)
    notes: list[str] = list(c.notes)
    reading = c.reading
    if reading is not None and reading.coverage == 0.0:
        why = reading.summary() or "no English words"
        raise InputError(f"understood nothing in {c.prompt!r} ({why}): name what to draw, "
                         "e.g. 'a red circle above a blue square'")
    planner = (planner or "embedded").strip().lower()
    # the embedded base model adds nothing to a fully understood request: the rules engine lays
    # it out (no LLM, milliseconds); a chat LLM (a server) plans every request
    base = planner == "embedded" if llm is None else getattr(llm, "kind", "chat") == "base"
    scenery = not c.objects and bool(c.excluded or c.background)  # "a calm ocean", "a scene without cars"
    if planner == "rules" or (base and mode == "auto" and (c.complete and c.objects or scenery)):
        llm = None  # plan_path "rules" records it
    elif llm is None:
        try:
            llm = _load_llm(planner, base_url, model, cache, timeout)
        except (MissingExtraError, ImportError) as exc:
            if planner != "embedded":
                raise
            notes.append(f"the embedded LLM is not available ({exc}); used the rules planner")
            llm = None
    check = c.checkable()

    if llm is None and scenery:
        # "a scene without an aeroplane", "the blue ocean and the white sand": nothing to place
        res = PlanResult(layout=Layout(width=width, height=height, background=c.background or "plain",
                                       caption=c.prompt),
                         constraints=c, source="rules", plan_path="rules",
                         notes=notes + ["no objects to place: the plan is the background only"])
    elif llm is None:
        if not c.objects:
            raise InputError(f"found nothing to draw in {c.prompt!r}"
                             + (f" ({reading.summary()})" if reading and reading.unknown else "")
                             + ": name at least one object, e.g. 'a red circle above a blue square'")
        eng_notes: list[str] = []
        layout = rules_layout(c, seed=seed, width=width, height=height, notes=eng_notes)
        res = PlanResult(layout=layout, constraints=c, source="rules", notes=notes + eng_notes,
                         repairs=[Repair(stage="rules", kind="note", message=n) for n in c.notes + eng_notes
                                  if "contradict" in n],
                         plan_path="rules" if c.complete or planner == "rules" else "rules-fallback")
    else:
        try:
            res = _plan_with_llm(prompt, c, llm, seed=seed, width=width, height=height, format=format,
                                 rounds=(getattr(llm, "plan_repair_rounds", 1) if llm_repair_rounds is None
                                         else llm_repair_rounds),
                                 temperature=temperature, notes=notes, mode=mode,
                                 check=check)
        except MissingExtraError as exc:  # the runtime is imported lazily, at the first call
            if planner != "embedded" or not c.objects:
                raise
            notes.append(f"the embedded LLM is not available ({exc}); used the rules planner")
            return plan(prompt, planner="rules", seed=seed, format=format, width=width, height=height)._with_notes(notes, t0)
        res.plan_path = "llm"
    res.check = "full" if check is c else ("partial" if check.objects else "none")
    if res.check != "full":
        res.notes.append(f"partly understood: checked only the understood facts "
                         f"({len(check.objects)} of {len(c.objects)} object groups)")
    # an LLM plan answers for the understood facts; a rules plan for the whole reading it was built from
    chat_plan = res.plan_path == "llm" and not _guided(llm, c, mode)
    res.violations = verify(res.layout, check if res.plan_path == "llm" else c, overlap=not chat_plan)
    res.undrawable = undrawable(res.layout, c)
    if format == "tikz" and res.tikz is None:
        from .tikz import layout_to_tikz

        res.tikz = layout_to_tikz(res.layout)
    res.seconds = time.perf_counter() - t0
    return res


def undrawable(layout: Layout, c: Constraints) -> list[int]:
    """Indices of objects no image backend should draw: words the reader did not know as things
    (the request's unknown nouns, or names an LLM made up that are not objects)."""
    from .words import FRAME_NOUNS, noun_name

    unknown = {s.name for s in c.objects if not s.drawable}
    known = {s.name for s in c.objects if s.drawable}
    return [i for i, o in enumerate(layout.objects)
            if o.name in unknown or (o.name not in known and (noun_name(o.name) is None or o.name in FRAME_NOUNS))]


def embedded_available() -> bool:
    """Whether the embedded LLM's runtime is installed (without loading it)."""
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def _guided(llm: Any, c: Constraints, mode: str) -> bool:
    if mode == "auto":
        return getattr(llm, "kind", "chat") == "base" and bool(c.objects)
    return mode == "guided" and bool(c.objects)


def _first_llm_layout(prompt: str, c: Constraints, llm: Any, *, seed: int, width: int, height: int,
                      format: str, temperature: float, repairs: list[Repair], mode: str = "auto") -> tuple[Layout | None, str | None]:
    if format == "tikz":
        from .tikz import ask_llm_tikz, tikz_to_layout

        try:
            src = ask_llm_tikz(llm, prompt, c, seed=seed, temperature=temperature)
            lay = tikz_to_layout(src, width=width, height=height)
            return lay, src
        except (InputError, LLMOutputError) as exc:
            repairs.append(Repair(stage="llm", kind="invalid", message=f"the LLM's TikZ was unusable: {exc}"))
            return None, None
    try:
        if _guided(llm, c, mode):
            return _guided_layout(_ask_llm_guided(llm, prompt, c, seed, temperature), c, width, height), None
        reply = _ask_llm(llm, prompt, c, seed, temperature)
    except LLMOutputError as exc:
        repairs.append(Repair(stage="llm", kind="invalid", message=f"the LLM's reply was unusable: {exc}"))
        return None, None
    lay, fixes = llm_reply_to_layout(reply, width, height)
    repairs.extend(fixes)
    return lay, None


def _plan_with_llm(prompt: str, c: Constraints, llm: Any, *, seed: int, width: int, height: int,
                   format: str, rounds: int, temperature: float, notes: list[str], mode: str = "auto",
                   check: Constraints | None = None) -> PlanResult:
    """The LLM plans; only ``check`` (the understood facts; default all of ``c``) is verified and
    repaired, so an LLM plan is never changed on a fact the reader was unsure of."""
    check = c if check is None else check
    source = getattr(llm, "id", "") or type(llm).__name__
    repairs: list[Repair] = []
    layout, tikz_src = _first_llm_layout(prompt, c, llm, seed=seed, width=width, height=height,
                                         format=format, temperature=temperature, repairs=repairs, mode=mode)
    llm_first = layout
    strict = _guided(llm, c, mode)  # guided boxes must also keep apart; a free plan answers for facts
    ok = layout is not None and not verify(layout, check, overlap=strict)  # the LLM's own plan, before any repair
    if layout is not None:
        layout, fixes = align_names(layout, check)
        repairs.extend(fixes)
    for r in range(max(0, int(rounds))):
        if layout is None or format == "tikz":
            break
        problems = verify(layout, check, overlap=strict)
        if not problems:
            break
        try:
            if _guided(llm, c, mode):
                fixed = _guided_layout(_ask_llm_guided(llm, prompt, c, seed + r + 1, temperature, layout,
                                                       [p.message for p in problems]), c, width, height)
                fixes: list[Repair] = []
            else:
                reply = _ask_llm_fix(llm, prompt, c, layout, [p.message for p in problems], seed + r, temperature)
                fixed, fixes = llm_reply_to_layout(reply, width, height)
        except (LLMOutputError, LLMError) as exc:
            repairs.append(Repair(stage="llm", kind="invalid", message=f"the LLM's fix was unusable: {exc}"))
            break
        fixed, more = align_names(fixed, check)
        fixes += more
        asked = "asked the LLM again with: " + "; ".join(p.message for p in problems[:4])
        if len(verify(fixed, check, overlap=strict)) < len(problems):
            repairs.append(Repair(stage="llm", kind="reask", message=asked))
            repairs.extend(fixes)
            layout = fixed
        else:
            repairs.append(Repair(stage="llm", kind="reask", message=asked + " (its reply was no better; kept the first)"))
    if layout is None:
        layout = rules_layout(c, seed=seed, width=width, height=height)
        repairs.append(Repair(stage="rules", kind="replace", message="used the rules layout"))
    elif strict and verify(layout, check):
        # guided: the LLM only placed the reader's objects; boxes that fail even the understood
        # facts or basic sanity (heavy overlap) are replaced from the reader's best reading
        layout, fixes = repair_layout(layout, c, seed=seed)
        repairs.extend(fixes)
        if check is not c:
            notes.append("the LLM's boxes failed basic checks: repaired on the reader's best reading, unsure parts included")
    else:
        layout, fixes = repair_layout(layout, check, seed=seed, overlap=strict)
        repairs.extend(fixes)
    layout = _decorate(layout, c, c.prompt)
    first = _decorate(llm_first, c, c.prompt) if llm_first is not None else None
    return PlanResult(layout=layout, constraints=c, repairs=repairs, llm_only_ok=ok, llm_layout=first,
                      source=source, tikz=tikz_src if tikz_src and not repairs else None, notes=notes)
