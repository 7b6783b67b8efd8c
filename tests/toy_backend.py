"""A toy image backend, as a third party would write one: one module, one class (used by
tests/test_backends.py, registered there in one line or through an entry point).

It paints each planned object that is a square or a circle as a flat shape on white; anything
else it cannot draw and says so through ``BackendOutput.out_of_world``.
"""

from __future__ import annotations

from limner.image import BackendOutput, Capabilities, ImageBackend

COLORS = {"red": (220, 30, 30), "blue": (30, 60, 220), "green": (30, 160, 60)}


class ToyBackend(ImageBackend):
    id = "toy"
    capabilities = Capabilities(options=frozenset({"outline"}), takes_layout=True,
                                draws_any_object=False, native_size=(64, 64))

    def generate(self, prompt, *, seeds, layout=None, negative_prompt="", num_inference_steps=None,
                 guidance_scale=None, width=None, height=None, callback=None, **options):
        from PIL import Image, ImageDraw

        opts = self.capabilities.check_options(self.id, options)
        images, left_out = [], []
        for _ in seeds:
            im = Image.new("RGB", (64, 64), "white")
            draw = ImageDraw.Draw(im)
            for o in layout.objects if layout else []:
                if o.name not in ("square", "circle"):
                    left_out.append(o.name)
                    continue
                box = [round(c * 63) for c in o.box]
                shape = draw.ellipse if o.name == "circle" else draw.rectangle
                shape(box, fill=COLORS.get(o.color or "", (0, 0, 0)), outline=opts.get("outline"))
            images.append(im)
        return BackendOutput(images=images, seeds=list(seeds), model={"id": "toy"}, width=64, height=64,
                             extra={"outline": opts.get("outline")},
                             out_of_world=sorted(set(left_out)))
