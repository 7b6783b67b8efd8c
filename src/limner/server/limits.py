"""Bounds on everything a client can send, and defensive image decoding.

Every limit is a field of :class:`Limits` (one place to read them, one place to change them); a
request over a limit is refused with a 4xx and a message naming the limit, before any work.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class Limits:
    max_prompt_chars: int = 1000
    max_steps: int = 150
    max_images: int = 8            # batch_size * n_iter, or num_images
    max_side: int = 2048           # width / height asked for
    max_upload_bytes: int = 8 << 20
    max_upload_pixels: int = 4096 * 4096
    max_body_bytes: int = 12 << 20
    queue_size: int = 16
    keep_finished: int = 64        # finished jobs kept for polling
    sync_timeout_s: float = 600.0  # A1111 calls wait at most this long


def decode_bytes(data: str | bytes, limits: Limits) -> bytes:
    """The raw bytes of an upload given as base64, a base64 data URI or bytes; empty, malformed
    or oversize input is refused with an InputError (a 4xx)."""
    if isinstance(data, str):
        s = data.strip()
        if s.startswith("data:"):
            head, _, s = s.partition(",")
            if ";base64" not in head:
                raise InputError("image data URI must be base64-encoded")
        if len(s) > limits.max_upload_bytes * 4 // 3 + 16:
            raise InputError(f"image is larger than {limits.max_upload_bytes} bytes")
        try:
            raw = base64.b64decode(s, validate=False)
        except (binascii.Error, ValueError):
            raise InputError("image is not valid base64") from None
    else:
        raw = data
    if not raw:
        raise InputError("image is empty")
    if len(raw) > limits.max_upload_bytes:
        raise InputError(f"image is larger than {limits.max_upload_bytes} bytes")
    return raw


def decode_image(data: str | bytes, limits: Limits):
    """A PIL RGB image from base64 / a data URI / raw bytes, refusing bombs and oversize input."""
    from PIL import Image, UnidentifiedImageError

    raw = decode_bytes(data, limits)
    try:
        with Image.open(io.BytesIO(raw)) as im:
            w, h = im.size
            if w * h > limits.max_upload_pixels:
                raise InputError(f"image is {w}x{h}; the limit is {limits.max_upload_pixels} pixels")
            im.load()
            return im.convert("RGB")
    except InputError:
        raise
    except Image.DecompressionBombError:
        raise InputError(f"image refused: too many pixels (a decompression bomb; the limit is {limits.max_upload_pixels})") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise InputError("cannot read the image (not a PNG/JPEG/WebP, or truncated)") from None


def png_bytes(image, record=None, metadata: bool = True) -> bytes:
    """PNG bytes of ``image`` with the record's chunks, written exactly as the CLI writes files."""
    import tempfile
    from pathlib import Path

    from ..records import save_png

    with tempfile.TemporaryDirectory(prefix="limner-png-") as d:
        p = save_png(image, Path(d) / "x.png", record, metadata)
        return p.read_bytes()
