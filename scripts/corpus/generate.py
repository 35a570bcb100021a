#!/usr/bin/env python3
"""The content corpus: files written by real producers (Pillow, ImageMagick, ffmpeg, libsndfile, lame, flac,
mutagen, reportlab, Ghostscript, groff, pandoc, pdfTeX, LibreOffice, python-docx) with many settings, and damaged
copies of them, each with the answer the gateway must give in manifest.json.

Usage: generate.py [FOLDER]   (default $PROVENA_CORPUS, else $PROVENA_CACHE/corpus, else ~/.cache/provena/corpus).
Run by the corpus venv's python (scripts/corpus/install.sh). Deterministic: fixed seeds, SOURCE_DATE_EPOCH, timestamps stripped where a tool
allows (LibreOffice's files still carry their own dates; the bench never compares bytes, only answers).

A producer whose tool is missing is left out and named in the manifest's "skipped"; an expected answer is
what a careful reader must say of the file (see "expect"/"error"), not what today's code says.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
import zipfile
import zlib
from pathlib import Path

os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
os.environ["TZ"] = "UTC"

import numpy as np  # noqa: E402
import soundfile  # noqa: E402
from PIL import Image, ImageDraw, TiffImagePlugin  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from texts import MARKDOWN, TEXTS  # noqa: E402

# The folder scripts/corpus/run.ts reads: PROVENA_CORPUS, else the corpus folder in PROVENA_CACHE.
DEFAULT_OUT = os.environ.get("PROVENA_CORPUS") or Path(os.environ.get("PROVENA_CACHE") or Path.home() / ".cache/provena") / "corpus"
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT).expanduser()
WORK = Path(tempfile.mkdtemp(prefix="provena-corpus-"))
# Producers run as their definitions are read (see `producing`), so the folder starts empty here.
if OUT.exists():
    shutil.rmtree(OUT)
OUT.mkdir(parents=True)
MANIFEST: list[dict] = []
SKIPPED: dict[str, str] = {}
EXT = {"txt": "txt", "md": "md", "pdf": "pdf", "docx": "docx", "png": "png", "jpeg": "jpg", "webp": "webp",
       "tiff": "tif", "bmp": "bmp", "wav": "wav", "mp3": "mp3", "flac": "flac"}

# ImageMagick 6 by its own name: a `convert` earlier on the PATH may be something else.
IM = shutil.which("convert-im6.q16") or shutil.which("convert-im6")


def tool(name: str) -> str | None:
    return IM if name == "imagemagick" else shutil.which(name)


def run(args: list[str], stdin: bytes | None = None, cwd: Path | None = None) -> bytes:
    return subprocess.run(args, input=stdin, capture_output=True, check=True, cwd=cwd, timeout=180).stdout


def slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "-" for c in text).strip("-")


def save(folder: str, name: str, data: bytes) -> str:
    path = OUT / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"{folder}/{name}"


def accept(data: bytes, producer: str, variant: str, type_: str, ext: str | None = None) -> bytes:
    name = f"{type_}-{slug(producer)}-{slug(variant)}.{ext or EXT[type_]}"
    MANIFEST.append({"file": save("valid", name, data), "producer": producer, "variant": variant, "expect": "accept", "type": type_})
    return data


def refuse(data: bytes, producer: str, variant: str, error: str, damage: str, ext: str) -> None:
    name = f"{slug(variant)}-{slug(damage)}.{ext}"
    MANIFEST.append({"file": save("bad", name, data), "producer": producer, "variant": variant, "expect": "refuse",
                     "error": error, "damage": damage})


def producing(producer: str, needs: str | None = None):
    """Runs a producer's block; a missing tool or a failing producer is recorded, not fatal."""

    def wrap(fn):
        if needs and not tool(needs):
            SKIPPED[producer] = f"{needs} is not installed"
            return fn
        try:
            fn()
        except (subprocess.CalledProcessError, OSError, ValueError) as error:
            detail = getattr(error, "stderr", b"") or b""
            SKIPPED[f"{producer}:{fn.__name__}"] = f"{error} {detail[-300:].decode('utf-8', 'replace')}".strip()
        return fn

    return wrap


# ------------------------------------------------------------------ sources

def picture(width: int = 192, height: int = 144, seed: int = 1) -> np.ndarray:
    """A photo-like RGB picture: smooth gradients, a few shapes, mild noise (so no image is flat)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    r = 120 + 90 * np.sin(x / width * 3.1 + seed)
    g = 100 + 80 * np.cos(y / height * 2.7)
    b = 140 + 60 * np.sin((x + y) / (width + height) * 5.0)
    img = np.stack([r, g, b], axis=-1)
    for _ in range(6):
        cx, cy, rad = rng.integers(0, width), rng.integers(0, height), rng.integers(8, 40)
        mask = (x - cx) ** 2 + (y - cy) ** 2 < rad**2
        img[mask] = rng.integers(0, 256, 3)
    img += rng.normal(0, 6, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


PIC = picture()
PIL_RGB = Image.fromarray(PIC, "RGB")
alpha = np.clip(np.linspace(40, 255, PIC.shape[1])[None, :].repeat(PIC.shape[0], 0), 0, 255).astype(np.uint8)
PIL_RGBA = Image.fromarray(np.dstack([PIC, alpha]), "RGBA")
PPM = WORK / "source.ppm"
PIL_RGB.save(PPM)
PAM_RGBA = WORK / "source.png"
PIL_RGBA.save(PAM_RGBA)


def pil(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def im(args: list[str], out_spec: str, source: Path = PPM) -> bytes:
    """ImageMagick from the source picture; dates and other volatile chunks left out."""
    return run([IM, str(source), "-define", "png:exclude-chunks=date,time", "+set", "date:create", "+set", "date:modify",
                *args, f"{out_spec}:-"])


def ffmpeg_image(args: list[str], fmt: str, source: Path = PPM) -> bytes:
    return run(["ffmpeg", "-v", "error", "-i", str(source), "-frames:v", "1", "-fflags", "+bitexact", "-flags", "+bitexact",
                *args, "-f", fmt, "pipe:1"])


RATE = 22050


def signal(seconds: float = 2.0, rate: int = RATE, channels: int = 1, seed: int = 2) -> np.ndarray:
    """Speech-like audio: a voiced tone with vibrato and syllable envelope, a little noise. frames × channels, −1..1."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    out = []
    for ch in range(channels):
        f0 = 180 + 40 * ch + 12 * np.sin(2 * np.pi * 5 * t)
        phase = 2 * np.pi * np.cumsum(f0) / rate
        voiced = sum(np.sin(k * phase) / k for k in range(1, 6))
        envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 3.3 * t + ch) ** 2
        out.append(0.3 * voiced * envelope + rng.normal(0, 0.01, t.size))
    return np.clip(np.stack(out, axis=1), -1, 1)


def sf_bytes(data: np.ndarray, rate: int, fmt: str, subtype: str) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, data, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


SOURCE_WAV = WORK / "source.wav"
soundfile.write(SOURCE_WAV, signal(), RATE, subtype="PCM_16")
SOURCE_WAV_STEREO = WORK / "source-stereo.wav"
soundfile.write(SOURCE_WAV_STEREO, signal(2.0, 44100, 2), 44100, subtype="PCM_16")


def ffmpeg_audio(args: list[str], fmt: str, source: Path = SOURCE_WAV, pipe: bool = True) -> bytes:
    """ffmpeg to a pipe (a stream it cannot seek back into: sizes it would patch stay unknown) or to a file."""
    common = ["ffmpeg", "-v", "error", "-i", str(source), "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
              *args, "-f", fmt]
    if pipe:
        return run([*common, "pipe:1"])
    target = WORK / f"ffmpeg-out.{fmt}"
    run([*common, "-y", str(target)])
    return target.read_bytes()


COVER = pil(PIL_RGB.resize((64, 48)), "JPEG", quality=80)
SMALL_JPEG = pil(Image.fromarray(picture(32, 24, seed=9)), "JPEG", quality=70)


# ------------------------------------------------------------------ PNG

@producing("Pillow")
def png_pillow():
    accept(pil(PIL_RGB, "PNG"), "Pillow", "rgb8", "png")
    accept(pil(PIL_RGBA, "PNG"), "Pillow", "rgba8", "png")
    accept(pil(PIL_RGB.convert("L"), "PNG"), "Pillow", "grey8", "png")
    accept(pil(PIL_RGBA.convert("LA"), "PNG"), "Pillow", "grey-alpha8", "png")
    accept(pil(PIL_RGB.quantize(256), "PNG"), "Pillow", "palette256", "png")
    accept(pil(PIL_RGB.quantize(16), "PNG", bits=4), "Pillow", "palette16-4bit", "png")
    accept(pil(PIL_RGB.convert("L").point(lambda v: 255 if v > 128 else 0).convert("1"), "PNG"), "Pillow", "bilevel-1bit", "png")
    paletted = PIL_RGB.quantize(64)
    accept(pil(paletted, "PNG", transparency=0), "Pillow", "palette-trns", "png")
    grey16 = Image.fromarray((PIC[..., 1].astype(np.uint16) * 257), "I;16")
    accept(pil(grey16, "PNG"), "Pillow", "grey16", "png")
    accept(pil(PIL_RGB, "PNG", compress_level=0), "Pillow", "compress0", "png")
    accept(pil(PIL_RGB, "PNG", optimize=True), "Pillow", "optimize", "png")
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", "Ashford quay")
    info.add_itxt("Description", "Quai d'Ashford, relevé", lang="fr", tkey="Description")
    accept(pil(PIL_RGB, "PNG", pnginfo=info, dpi=(300, 300)), "Pillow", "text-chunks-dpi", "png")
    accept(pil(PIL_RGB.resize((1024, 768)), "PNG", compress_level=1), "Pillow", "large-1024", "png")


@producing("ImageMagick", "imagemagick")
def png_imagemagick():
    accept(im(["-interlace", "PNG"], "PNG24"), "ImageMagick", "interlaced-adam7", "png")
    accept(im(["-depth", "16"], "PNG48"), "ImageMagick", "rgb16", "png")
    accept(im(["-depth", "16"], "PNG64", PAM_RGBA), "ImageMagick", "rgba16", "png")
    accept(im(["-colors", "200"], "PNG8"), "ImageMagick", "png8-palette", "png")
    accept(im(["-colorspace", "Gray", "-depth", "2"], "PNG"), "ImageMagick", "grey2", "png")
    accept(im(["-colorspace", "Gray", "-depth", "16", "-interlace", "PNG"], "PNG"), "ImageMagick", "grey16-interlaced", "png")


@producing("ffmpeg-png", "ffmpeg")
def png_ffmpeg():
    accept(ffmpeg_image(["-c:v", "png", "-pix_fmt", "rgb24"], "image2pipe"), "ffmpeg", "rgb24", "png")
    accept(ffmpeg_image(["-c:v", "png", "-pix_fmt", "rgb48be"], "image2pipe"), "ffmpeg", "rgb48", "png")
    accept(ffmpeg_image(["-c:v", "png", "-pix_fmt", "pal8"], "image2pipe"), "ffmpeg", "pal8", "png")
    accept(ffmpeg_image(["-c:v", "png", "-pix_fmt", "gray16be"], "image2pipe"), "ffmpeg", "gray16", "png")
    # APNG: an animated PNG (acTL, fcTL and fdAT chunks), which any PNG reader shows as its first frame.
    target = WORK / "animated.png"
    run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=5:duration=0.6", "-fflags", "+bitexact",
         "-plays", "0", "-f", "apng", "-y", str(target)])
    accept(target.read_bytes(), "ffmpeg", "apng-3-frames", "png")


# ------------------------------------------------------------------ JPEG

@producing("Pillow-jpeg")
def jpeg_pillow():
    accept(pil(PIL_RGB, "JPEG", quality=90), "Pillow", "baseline-q90", "jpeg")
    accept(pil(PIL_RGB, "JPEG", quality=35), "Pillow", "baseline-q35", "jpeg")
    accept(pil(PIL_RGB, "JPEG", quality=85, progressive=True), "Pillow", "progressive", "jpeg")
    accept(pil(PIL_RGB, "JPEG", quality=85, optimize=True), "Pillow", "optimized-huffman", "jpeg")
    accept(pil(PIL_RGB, "JPEG", quality=85, subsampling=0), "Pillow", "subsampling-444", "jpeg")
    accept(pil(PIL_RGB, "JPEG", quality=85, subsampling=1), "Pillow", "subsampling-422", "jpeg")
    accept(pil(PIL_RGB.convert("L"), "JPEG", quality=85), "Pillow", "greyscale", "jpeg")
    accept(pil(PIL_RGB.convert("CMYK"), "JPEG", quality=85), "Pillow", "cmyk", "jpeg")
    exif = Image.Exif()
    exif[0x010F] = "Provena Camera Co."
    exif[0x0110] = "Model 7"
    exif[0x0112] = 6  # orientation: rotate 90
    exif[0x0132] = "2023:11:14 22:13:20"
    accept(pil(PIL_RGB, "JPEG", quality=85, exif=exif.tobytes()), "Pillow", "exif-orientation", "jpeg")
    from PIL import ImageCms
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    accept(pil(PIL_RGB, "JPEG", quality=85, icc_profile=icc), "Pillow", "icc-profile", "jpeg")
    accept(pil(PIL_RGB, "JPEG", quality=85, comment=b"scanned at the county archive"), "Pillow", "comment", "jpeg")
    accept(pil(PIL_RGB.resize((1024, 768)), "JPEG", quality=80, progressive=True), "Pillow", "large-1024-progressive", "jpeg")
    accept(pil(PIL_RGB, "JPEG", quality=100, subsampling=0), "Pillow", "q100", "jpeg")
    # MPO: a second picture after the first one's end, declared by an APP2 "MPF" segment: how 3D cameras write
    # their views and phones their depth and HDR gain maps (Ultra HDR), in files named .jpg.
    second = Image.fromarray(picture(seed=7))
    accept(pil(PIL_RGB, "MPO", save_all=True, append_images=[second], quality=85), "Pillow", "mpo-multi-picture", "jpeg")


@producing("ImageMagick-jpeg", "imagemagick")
def jpeg_imagemagick():
    accept(im(["-quality", "80", "-interlace", "JPEG"], "JPEG"), "ImageMagick", "progressive-q80", "jpeg")
    accept(im(["-colorspace", "CMYK", "-quality", "85"], "JPEG"), "ImageMagick", "cmyk", "jpeg")
    accept(im(["-quality", "92", "-sampling-factor", "4:4:4"], "JPEG"), "ImageMagick", "q92-444", "jpeg")
    accept(im(["-quality", "75", "-define", "jpeg:restart-interval=2"], "JPEG"), "ImageMagick", "restart-markers", "jpeg")


@producing("ffmpeg-jpeg", "ffmpeg")
def jpeg_ffmpeg():
    accept(ffmpeg_image(["-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3"], "image2pipe"), "ffmpeg", "mjpeg-420", "jpeg")
    accept(ffmpeg_image(["-c:v", "mjpeg", "-pix_fmt", "yuvj444p", "-q:v", "2"], "image2pipe"), "ffmpeg", "mjpeg-444", "jpeg")


# ------------------------------------------------------------------ WebP

@producing("Pillow-webp")
def webp_pillow():
    accept(pil(PIL_RGB, "WEBP", quality=80), "Pillow", "lossy-q80", "webp")
    accept(pil(PIL_RGB, "WEBP", lossless=True), "Pillow", "lossless", "webp")
    accept(pil(PIL_RGBA, "WEBP", quality=80), "Pillow", "lossy-alpha", "webp")
    accept(pil(PIL_RGBA, "WEBP", lossless=True), "Pillow", "lossless-alpha", "webp")
    exif = Image.Exif()
    exif[0x010F] = "Provena Camera Co."
    accept(pil(PIL_RGB, "WEBP", quality=70, exif=exif.tobytes()), "Pillow", "exif-vp8x", "webp")
    frames = [PIL_RGB, Image.fromarray(picture(seed=3))]
    accept(pil(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=200, quality=70), "Pillow", "animated-2-frames", "webp")
    accept(pil(PIL_RGB, "WEBP", quality=60, method=6), "Pillow", "lossy-method6", "webp")


@producing("ImageMagick-webp", "imagemagick")
def webp_imagemagick():
    accept(im(["-quality", "80"], "WEBP"), "ImageMagick", "lossy-q80", "webp")
    accept(im(["-define", "webp:lossless=true"], "WEBP", PAM_RGBA), "ImageMagick", "lossless-alpha", "webp")


@producing("ffmpeg-webp", "ffmpeg")
def webp_ffmpeg():
    for mode in ("0", "1"):
        target = WORK / f"ffmpeg-{mode}.webp"
        run(["ffmpeg", "-v", "error", "-i", str(PPM), "-frames:v", "1", "-fflags", "+bitexact", "-c:v", "libwebp", "-lossless", mode,
             "-y", str(target)])
        accept(target.read_bytes(), "ffmpeg", "libwebp-lossless" if mode == "1" else "libwebp-lossy", "webp")
    # To a pipe, ffmpeg cannot go back to write a lossless file's RIFF size and leaves it 0: libwebp refuses it too.
    refuse(ffmpeg_image(["-c:v", "libwebp", "-lossless", "1"], "webp"), "ffmpeg", "libwebp-lossless to a pipe", "corrupt",
           "riff-size-left-0", "webp")


# ------------------------------------------------------------------ TIFF

@producing("Pillow-tiff")
def tiff_pillow():
    accept(pil(PIL_RGB, "TIFF"), "Pillow", "raw", "tiff")
    accept(pil(PIL_RGB, "TIFF", compression="tiff_lzw"), "Pillow", "lzw", "tiff")
    accept(pil(PIL_RGB, "TIFF", compression="tiff_adobe_deflate"), "Pillow", "deflate", "tiff")
    accept(pil(PIL_RGB, "TIFF", compression="packbits"), "Pillow", "packbits", "tiff")
    accept(pil(PIL_RGB, "TIFF", compression="jpeg", quality=85), "Pillow", "jpeg-compressed", "tiff")
    accept(pil(PIL_RGB.convert("L").point(lambda v: 255 if v > 128 else 0).convert("1"), "TIFF", compression="group4"), "Pillow", "bilevel-group4", "tiff")
    accept(pil(PIL_RGBA, "TIFF", compression="tiff_lzw"), "Pillow", "rgba-lzw", "tiff")
    accept(pil(PIL_RGB.convert("CMYK"), "TIFF"), "Pillow", "cmyk", "tiff")
    accept(pil(Image.fromarray(PIC[..., 0].astype(np.uint16) * 257, "I;16"), "TIFF"), "Pillow", "grey16", "tiff")
    accept(pil(Image.fromarray(PIC[..., 2].astype(np.float32) / 255.0, "F"), "TIFF"), "Pillow", "float32-0to1", "tiff")
    pages = [PIL_RGB, Image.fromarray(picture(seed=4)), Image.fromarray(picture(seed=5))]
    accept(pil(pages[0], "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw"), "Pillow", "multipage-3", "tiff")
    accept(pil(PIL_RGB.quantize(64), "TIFF"), "Pillow", "palette", "tiff")
    exif = Image.Exif()
    exif[0x010F] = "Provena Scanner Co."  # Pillow writes Exif tags of the first directory, not an Exif IFD
    accept(pil(PIL_RGB, "TIFF", compression="tiff_lzw", exif=exif), "Pillow", "make-tag", "tiff")


@producing("ImageMagick-tiff", "imagemagick")
def tiff_imagemagick():
    accept(im(["-endian", "MSB", "-compress", "None"], "TIFF"), "ImageMagick", "big-endian", "tiff")
    accept(im(["-define", "tiff:tile-geometry=64x64", "-compress", "Zip"], "TIFF"), "ImageMagick", "tiled-zip", "tiff")
    accept(im(["-depth", "16", "-compress", "LZW"], "TIFF"), "ImageMagick", "rgb16-lzw", "tiff")
    # Uncompressed float fails in this ImageMagick (it sets a predictor libtiff refuses); deflated is what it writes.
    accept(im(["-define", "quantum:format=floating-point", "-depth", "32", "-compress", "Zip"], "TIFF"), "ImageMagick", "float32-rgb-zip", "tiff")
    accept(im(["-define", "quantum:format=floating-point", "-depth", "16", "-compress", "Zip"], "TIFF"), "ImageMagick", "float16-rgb-zip", "tiff")
    accept(im(["-compress", "Zip", "-define", "tiff:predictor=2"], "TIFF"), "ImageMagick", "zip-predictor", "tiff")
    accept(im(["-colorspace", "CMYK", "-compress", "LZW"], "TIFF"), "ImageMagick", "cmyk-lzw", "tiff")
    accept(im(["-compress", "JPEG", "-quality", "85"], "TIFF"), "ImageMagick", "jpeg-compressed", "tiff")
    accept(im(["-colorspace", "Gray", "-threshold", "50%", "-compress", "Group4"], "TIFF"), "ImageMagick", "bilevel-group4", "tiff")
    accept(run([IM, str(PPM), str(PAM_RGBA), "-compress", "Zip", "TIFF:-"]), "ImageMagick", "multipage-rgb-and-rgba", "tiff")


@producing("ffmpeg-tiff", "ffmpeg")
def tiff_ffmpeg():
    accept(ffmpeg_image(["-c:v", "tiff", "-compression_algo", "lzw"], "image2pipe"), "ffmpeg", "lzw", "tiff")
    accept(ffmpeg_image(["-c:v", "tiff", "-pix_fmt", "rgb48le", "-compression_algo", "deflate"], "image2pipe"), "ffmpeg", "rgb48-deflate", "tiff")


# ------------------------------------------------------------------ BMP

@producing("Pillow-bmp")
def bmp_pillow():
    accept(pil(PIL_RGB, "BMP"), "Pillow", "rgb24", "bmp")
    accept(pil(PIL_RGB.quantize(256), "BMP"), "Pillow", "palette8", "bmp")
    accept(pil(PIL_RGB.convert("L"), "BMP"), "Pillow", "grey8", "bmp")
    accept(pil(PIL_RGB.convert("L").point(lambda v: 255 if v > 128 else 0).convert("1"), "BMP"), "Pillow", "bilevel-1bit", "bmp")
    accept(pil(PIL_RGBA, "BMP"), "Pillow", "rgba32", "bmp")
    accept(pil(PIL_RGB.resize((193, 145)), "BMP"), "Pillow", "odd-width-padding", "bmp")


@producing("ImageMagick-bmp", "imagemagick")
def bmp_imagemagick():
    accept(im([], "BMP3"), "ImageMagick", "bmp3-rgb24", "bmp")
    accept(im([], "BMP2"), "ImageMagick", "os2-core-header", "bmp")
    accept(im([], "BMP", PAM_RGBA), "ImageMagick", "v5-bitfields-argb32", "bmp")
    accept(im(["-define", "bmp:subtype=RGB565"], "BMP"), "ImageMagick", "bitfields-rgb565", "bmp")
    accept(im(["-define", "bmp:subtype=ARGB4444"], "BMP", PAM_RGBA), "ImageMagick", "bitfields-argb4444", "bmp")
    accept(im(["-colors", "200", "-type", "Palette", "-compress", "RLE"], "BMP3"), "ImageMagick", "rle8", "bmp")
    accept(im(["-colors", "16", "-type", "Palette"], "BMP3"), "ImageMagick", "palette4", "bmp")
    accept(im(["-colors", "16", "-type", "Palette"], "BMP2"), "ImageMagick", "os2-palette4", "bmp")


@producing("ffmpeg-bmp", "ffmpeg")
def bmp_ffmpeg():
    accept(ffmpeg_image(["-c:v", "bmp", "-pix_fmt", "bgr24"], "image2pipe"), "ffmpeg", "bgr24", "bmp")
    accept(ffmpeg_image(["-c:v", "bmp", "-pix_fmt", "rgb565le"], "image2pipe"), "ffmpeg", "bitfields-rgb565", "bmp")
    accept(ffmpeg_image(["-c:v", "bmp", "-pix_fmt", "rgb555le"], "image2pipe"), "ffmpeg", "rgb555", "bmp")
    accept(ffmpeg_image(["-c:v", "bmp", "-pix_fmt", "bgra"], "image2pipe"), "ffmpeg", "bgra32", "bmp")
    accept(ffmpeg_image(["-c:v", "bmp", "-pix_fmt", "pal8"], "image2pipe"), "ffmpeg", "pal8", "bmp")
    accept(ffmpeg_image(["-c:v", "bmp", "-pix_fmt", "rgb4_byte"], "image2pipe"), "ffmpeg", "rgb4-byte", "bmp")


def bmp_file(header: bytes, palette: bytes, pixels: bytes, header_size_field: bool = True) -> bytes:
    offset = 14 + len(header) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + header + palette + pixels


def info_header(width: int, height: int, bits: int, compression: int, image_size: int, colours: int = 0, size: int = 40,
                masks: tuple = ()) -> bytes:
    header = struct.pack("<IiiHHIIiiII", size, width, height, 1, bits, compression, image_size, 2835, 2835, colours, 0)
    header += b"".join(struct.pack("<I", m) for m in masks)
    return header + bytes(size - len(header))


def rle_encode(rows: list[list[int]], four_bit: bool) -> bytes:
    """BI_RLE8 / BI_RLE4 as Windows writes them: encoded runs, absolute runs for varied stretches, end-of-line, end-of-bitmap."""
    out = bytearray()
    for row in rows:
        x = 0
        while x < len(row):
            run_length = 1
            if four_bit:
                while x + run_length < len(row) and run_length < 255 and row[x + run_length] == row[x + (run_length % 2)]:
                    run_length += 1
            else:
                while x + run_length < len(row) and run_length < 255 and row[x + run_length] == row[x]:
                    run_length += 1
            if run_length >= 3 or x + run_length >= len(row):
                value = (row[x] << 4 | row[x + 1 if x + 1 < len(row) and run_length > 1 else x]) if four_bit else row[x]
                out += bytes([run_length, value])
                x += run_length
            else:
                stop = x
                while stop < len(row) and stop - x < 254:
                    stop += 1
                    if stop + 2 < len(row) and row[stop] == row[stop + 1] == row[stop + 2]:
                        break
                count = stop - x
                if count < 3:
                    for k in range(count):
                        out += bytes([1, (row[x + k] << 4) if four_bit else row[x + k]])
                else:
                    chunk = row[x:stop]
                    if four_bit:
                        packed = bytes((chunk[i] << 4) | (chunk[i + 1] if i + 1 < len(chunk) else 0) for i in range(0, len(chunk), 2))
                    else:
                        packed = bytes(chunk)
                    out += bytes([0, count]) + packed + (b"\0" if len(packed) % 2 else b"")
                x = stop
        out += b"\0\0"
    out[-2:] = b"\0\1"
    return bytes(out)


@producing("hand-built-bmp")
def bmp_hand_built():
    """Variants no installed tool writes the same way: built field by field as the format defines them."""
    width, height = 150, 110
    small = Image.fromarray(picture(width, height, seed=6))
    rgb = np.asarray(small)
    # Top-down 24-bit: negative height, rows stored first to last.
    stride = (width * 3 + 3) & ~3
    rows = b"".join(rgb[y, :, ::-1].tobytes() + bytes(stride - width * 3) for y in range(height))
    accept(bmp_file(info_header(width, -height, 24, 0, len(rows)), b"", rows), "generate.py", "top-down-rgb24", "bmp")
    # BI_BITFIELDS 32-bit with an alpha mask in a V3 (56-byte) header, as Photoshop writes it.
    argb = np.dstack([rgb[..., 2], rgb[..., 1], rgb[..., 0], np.full((height, width), 200, np.uint8)])
    rows = b"".join(argb[y].tobytes() for y in range(height - 1, -1, -1))
    masks = (0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000)
    accept(bmp_file(info_header(width, height, 32, 3, len(rows), size=56, masks=masks), b"", rows), "generate.py", "v3-bitfields-argb32", "bmp")
    # RGB565 in a 40-byte header, the masks after it.
    r5, g6, b5 = rgb[..., 0].astype(np.uint16) >> 3, rgb[..., 1].astype(np.uint16) >> 2, rgb[..., 2].astype(np.uint16) >> 3
    v565 = (r5 << 11) | (g6 << 5) | b5
    stride = (width * 2 + 3) & ~3
    rows = b"".join(v565[y].astype("<u2").tobytes() + bytes(stride - width * 2) for y in range(height - 1, -1, -1))
    header = info_header(width, height, 16, 3, len(rows)) + struct.pack("<III", 0xF800, 0x07E0, 0x001F)
    accept(bmp_file(header, b"", rows), "generate.py", "info-bitfields-rgb565", "bmp")
    # Photoshop pads the file with two zero bytes and counts them in the declared size.
    stride = (width * 3 + 3) & ~3
    rows = b"".join(rgb[y, :, ::-1].tobytes() + bytes(stride - width * 3) for y in range(height - 1, -1, -1))
    padded = bmp_file(info_header(width, height, 24, 0, len(rows) + 2), b"", rows + b"\0\0")
    accept(padded, "generate.py", "photoshop-two-pad-bytes", "bmp")
    # RLE4 and RLE8 with a 16- and 256-colour palette.
    for bits, colours in ((4, 16), (8, 256)):
        quantized = small.quantize(colours)
        indices = np.asarray(quantized)
        pal = quantized.getpalette()[: colours * 3]
        palette = b"".join(bytes([pal[i * 3 + 2], pal[i * 3 + 1], pal[i * 3], 0]) for i in range(colours))
        encoded = rle_encode([list(map(int, indices[y])) for y in range(height - 1, -1, -1)], bits == 4)
        compression = 2 if bits == 4 else 1
        accept(bmp_file(info_header(width, height, bits, compression, len(encoded), colours), palette, encoded), "generate.py", f"rle{bits}", "bmp")


# ------------------------------------------------------------------ WAV

@producing("libsndfile")
def wav_soundfile():
    mono, stereo = signal(), signal(2.0, 44100, 2)
    for subtype in ("PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE", "ULAW", "ALAW"):
        accept(sf_bytes(mono, RATE, "WAV", subtype), "libsndfile", f"mono-{subtype.lower()}", "wav")
    accept(sf_bytes(stereo, 44100, "WAV", "PCM_16"), "libsndfile", "stereo-44k-pcm16", "wav")
    accept(sf_bytes(stereo, 44100, "WAV", "FLOAT"), "libsndfile", "stereo-44k-float", "wav")
    accept(sf_bytes(signal(1.5, 8000), 8000, "WAV", "PCM_16"), "libsndfile", "8k-telephone", "wav")
    accept(sf_bytes(signal(1.5, 96000), 96000, "WAV", "PCM_24"), "libsndfile", "96k-pcm24", "wav")
    accept(sf_bytes(stereo, 44100, "WAVEX", "PCM_24"), "libsndfile", "wavex-pcm24", "wav")
    accept(sf_bytes(mono, RATE, "WAVEX", "FLOAT"), "libsndfile", "wavex-float", "wav")


@producing("python-wave")
def wav_python():
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((signal(2.0, 16000)[:, 0] * 32767).astype("<i2").tobytes())
    accept(buffer.getvalue(), "python wave", "mono-16k-pcm16", "wav")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(1)
        w.setframerate(11025)
        w.writeframes(((signal(2.0, 11025, 2) * 127) + 128).astype(np.uint8).tobytes())
    accept(buffer.getvalue(), "python wave", "stereo-11k-pcm-u8", "wav")


@producing("sndfile-convert", "sndfile-convert")
def wav_sndfile_convert():
    for flag in ("-pcm24", "-float32", "-pcmu8"):
        target = WORK / f"converted{flag}.wav"
        run(["sndfile-convert", flag, str(SOURCE_WAV_STEREO), str(target)])
        accept(target.read_bytes(), "sndfile-convert", f"stereo{flag}", "wav")


@producing("ffmpeg-wav", "ffmpeg")
def wav_ffmpeg():
    accept(ffmpeg_audio(["-c:a", "pcm_s16le"], "wav", pipe=False), "ffmpeg", "pcm16-file", "wav")
    accept(ffmpeg_audio(["-c:a", "pcm_s24le"], "wav", SOURCE_WAV_STEREO, pipe=False), "ffmpeg", "pcm24-stereo-file", "wav")
    accept(ffmpeg_audio(["-c:a", "pcm_f32le"], "wav", pipe=False), "ffmpeg", "float32-file", "wav")
    accept(ffmpeg_audio(["-c:a", "pcm_u8"], "wav", pipe=False), "ffmpeg", "pcm-u8-file", "wav")
    # With metadata: ffmpeg writes a LIST/INFO chunk before the data.
    target = WORK / "ffmpeg-tagged.wav"
    run(["ffmpeg", "-v", "error", "-i", str(SOURCE_WAV), "-fflags", "+bitexact", "-metadata", "title=Quay survey",
         "-metadata", "artist=Ashford archive", "-y", str(target)])
    accept(target.read_bytes(), "ffmpeg", "list-info-tags", "wav")
    # Streamed to a pipe: ffmpeg cannot seek back to write the sizes, so RIFF and data say 0xFFFFFFFF or 0.
    accept(ffmpeg_audio(["-c:a", "pcm_s16le"], "wav"), "ffmpeg", "pcm16-streamed-pipe", "wav")
    accept(ffmpeg_audio(["-c:a", "pcm_f32le"], "wav", SOURCE_WAV_STEREO), "ffmpeg", "float32-stereo-streamed-pipe", "wav")
    accept(ffmpeg_audio(["-c:a", "pcm_s24le"], "wav"), "ffmpeg", "pcm24-streamed-pipe", "wav")


@producing("lame-decode", "lame")
def wav_lame():
    mp3, decoded = WORK / "lame-decode.mp3", WORK / "lame-decoded.wav"
    run(["lame", "--quiet", "-b", "128", str(SOURCE_WAV), str(mp3)])
    run(["lame", "--quiet", "--decode", str(mp3), str(decoded)])
    accept(decoded.read_bytes(), "lame", "decoded-from-mp3", "wav")


# ------------------------------------------------------------------ FLAC

@producing("flac", "flac")
def flac_cli():
    for level in ("-0", "-5", "-8"):
        accept(run(["flac", "--silent", level, "--stdout", str(SOURCE_WAV)]), "flac", f"level{level}", "flac")
    accept(run(["flac", "--silent", "--stdout", str(SOURCE_WAV_STEREO)]), "flac", "stereo-44k", "flac")
    src24 = WORK / "src24.wav"
    soundfile.write(src24, signal(2.0, 48000, 2), 48000, subtype="PCM_24")
    accept(run(["flac", "--silent", "--stdout", str(src24)]), "flac", "stereo-48k-24bit", "flac")
    src8 = WORK / "src8.wav"
    soundfile.write(src8, signal(), RATE, subtype="PCM_U8")
    accept(run(["flac", "--silent", "--stdout", str(src8)]), "flac", "8bit", "flac")
    cover = WORK / "cover.jpg"
    cover.write_bytes(COVER)
    accept(run(["flac", "--silent", "--stdout", "-T", "TITLE=Quay survey", "-T", "ARTIST=Ashford archive",
                f"--picture=3|image/jpeg|cover||{cover}", str(SOURCE_WAV)]), "flac", "tags-and-picture", "flac")
    accept(run(["flac", "--silent", "--stdout", "--padding=65536", str(SOURCE_WAV)]), "flac", "large-padding", "flac")
    accept(run(["flac", "--silent", "--stdout", "--no-padding", "--no-seektable", str(SOURCE_WAV)]), "flac", "no-padding-no-seektable", "flac")
    accept(run(["flac", "--silent", "--stdout", "--blocksize=1152", str(SOURCE_WAV)]), "flac", "blocksize-1152", "flac")
    accept(run(["flac", "--silent", "--stdout", "-8", "-e", "-p", str(SOURCE_WAV_STEREO)]), "flac", "exhaustive-stereo", "flac")
    src96 = WORK / "src96.wav"
    soundfile.write(src96, signal(1.5, 96000, 2), 96000, subtype="PCM_24")
    accept(run(["flac", "--silent", "--stdout", str(src96)]), "flac", "96k-24bit-stereo", "flac")
    # An ID3v1 tag appended by a tagger that knows only MP3: players skip it.
    accept(run(["flac", "--silent", "--stdout", str(SOURCE_WAV)]) + b"TAG" + b"Quay survey".ljust(125, b"\0"), "flac", "id3v1-appended", "flac")


@producing("ffmpeg-flac", "ffmpeg")
def flac_ffmpeg():
    accept(ffmpeg_audio(["-c:a", "flac"], "flac", pipe=False), "ffmpeg", "file", "flac")
    accept(ffmpeg_audio(["-c:a", "flac", "-compression_level", "12"], "flac", SOURCE_WAV_STEREO, pipe=False), "ffmpeg", "level12-stereo", "flac")
    # Streamed: STREAMINFO's total samples (and MD5) stay 0, which the format allows ("unknown").
    accept(ffmpeg_audio(["-c:a", "flac"], "flac"), "ffmpeg", "streamed-pipe", "flac")
    accept(ffmpeg_audio(["-c:a", "flac", "-sample_fmt", "s32"], "flac", SOURCE_WAV_STEREO), "ffmpeg", "streamed-pipe-24bit", "flac")


@producing("libsndfile-flac")
def flac_soundfile():
    accept(sf_bytes(signal(), RATE, "FLAC", "PCM_16"), "libsndfile", "pcm16", "flac")
    accept(sf_bytes(signal(2.0, 44100, 2), 44100, "FLAC", "PCM_24"), "libsndfile", "stereo-pcm24", "flac")


@producing("mutagen-flac", "flac")
def flac_mutagen():
    from mutagen.flac import FLAC, Picture
    path = WORK / "tagged.flac"
    path.write_bytes(run(["flac", "--silent", "--stdout", str(SOURCE_WAV)]))
    audio = FLAC(path)
    audio["title"] = "Relevé du quai"
    audio["artist"] = "Archives d'Ashford"
    picture_block = Picture()
    picture_block.type, picture_block.mime, picture_block.data = 3, "image/jpeg", COVER
    picture_block.width, picture_block.height, picture_block.depth = 64, 48, 24
    audio.add_picture(picture_block)
    audio.save()
    accept(path.read_bytes(), "mutagen", "vorbis-comments-picture", "flac")


# ------------------------------------------------------------------ MP3

@producing("lame", "lame")
def mp3_lame():
    wav, stereo = str(SOURCE_WAV), str(SOURCE_WAV_STEREO)
    def lame(*args: str, src: str = wav) -> bytes:
        # To a file, as people run it: lame goes back to write its Xing/Info frame (frame count, LAME tag).
        target = WORK / "lame-out.mp3"
        run(["lame", "--quiet", *args, src, str(target)])
        return target.read_bytes()

    # To stdout it cannot go back: the stream starts with audio frames and no Xing frame.
    accept(run(["lame", "--quiet", "-V", "4", wav, "-"]), "lame", "vbr-v4-to-stdout", "mp3")
    accept(lame("-b", "128", src=stereo), "lame", "cbr128-stereo", "mp3")
    accept(lame("-b", "64"), "lame", "cbr64-mono-22k-mpeg2", "mp3")
    accept(lame("-V", "2", src=stereo), "lame", "vbr-v2", "mp3")
    accept(lame("-V", "9"), "lame", "vbr-v9", "mp3")
    accept(lame("--abr", "96", src=stereo), "lame", "abr96", "mp3")
    accept(lame("-t", "-b", "96"), "lame", "no-xing-header", "mp3")
    src8k = WORK / "src8k.wav"
    soundfile.write(src8k, signal(2.0, 8000), 8000, subtype="PCM_16")
    accept(lame("-b", "16", src=str(src8k)), "lame", "8k-mpeg25", "mp3")
    tags = ["--tt", "Quay survey", "--ta", "Ashford archive", "--tl", "Field recordings", "--ty", "2023"]
    accept(lame("-b", "128", "--id3v1-only", *tags), "lame", "id3v1", "mp3")
    accept(lame("-b", "128", "--id3v2-only", *tags), "lame", "id3v2", "mp3")
    accept(lame("-b", "128", "--add-id3v2", *tags), "lame", "id3v2-and-id3v1", "mp3")
    cover = WORK / "cover.jpg"
    cover.write_bytes(COVER)
    accept(lame("-b", "128", "--ti", str(cover), *tags), "lame", "id3v2-cover-art", "mp3")
    accept(lame("-b", "320", src=stereo), "lame", "cbr320-stereo", "mp3")
    accept(lame("-m", "j", "-V", "5", src=stereo), "lame", "joint-stereo-vbr-v5", "mp3")
    accept(lame("--resample", "16", "-b", "48"), "lame", "resampled-16k-mpeg2", "mp3")
    accept(lame("-b", "8", src=str(src8k)), "lame", "8k-8kbps-mpeg25", "mp3")


@producing("ffmpeg-mp3", "ffmpeg")
def mp3_ffmpeg():
    accept(ffmpeg_audio(["-c:a", "libmp3lame", "-b:a", "128k"], "mp3", SOURCE_WAV_STEREO, pipe=False), "ffmpeg", "cbr128-file", "mp3")
    accept(ffmpeg_audio(["-c:a", "libmp3lame", "-q:a", "4"], "mp3", pipe=False), "ffmpeg", "vbr-q4-file", "mp3")
    accept(ffmpeg_audio(["-c:a", "libmp3lame", "-b:a", "96k"], "mp3"), "ffmpeg", "streamed-pipe", "mp3")
    accept(ffmpeg_audio(["-c:a", "libmp3lame", "-b:a", "96k", "-write_xing", "0", "-id3v2_version", "0"], "mp3", pipe=False), "ffmpeg", "bare-frames", "mp3")


@producing("mutagen-mp3", "lame")
def mp3_mutagen():
    from mutagen.apev2 import APEv2
    from mutagen.id3 import APIC, ID3, TALB, TIT2, TPE1
    base = run(["lame", "--quiet", "-b", "128", str(SOURCE_WAV), "-"])
    for version in (3, 4):
        path = WORK / f"id3v2{version}.mp3"
        path.write_bytes(base)
        tags = ID3()
        tags.add(TIT2(encoding=3, text="Relevé du quai"))
        tags.add(TPE1(encoding=3, text="Archives d'Ashford"))
        tags.add(TALB(encoding=3, text="測量記録"))
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=COVER))
        tags.save(path, v2_version=version, v1=2 if version == 3 else 0)
        accept(path.read_bytes(), "mutagen", f"id3v2.{version}-apic" + ("-and-id3v1" if version == 3 else ""), "mp3")
    path = WORK / "ape.mp3"
    path.write_bytes(base)
    ape = APEv2()
    ape["Title"], ape["Artist"] = "Quay survey", "Ashford archive"
    ape.save(path)
    accept(path.read_bytes(), "mutagen", "apev2-tag", "mp3")
    tags = ID3()
    tags.add(TIT2(encoding=3, text="Quay survey"))
    tags.save(path, v1=2)
    accept(path.read_bytes(), "mutagen", "id3v2-apev2-id3v1", "mp3")


# ------------------------------------------------------------------ text and Markdown

@producing("python-text")
def texts():
    for language, text in TEXTS.items():
        accept(text.encode(), "python", f"{language}-utf8-lf", "txt")
    for language in ("english", "chinese", "arabic", "russian", "hindi", "japanese"):
        accept(TEXTS[language].replace("\n", "\r\n").encode(), "python", f"{language}-utf8-crlf", "txt")
        accept(b"\xef\xbb\xbf" + TEXTS[language].encode(), "python", f"{language}-utf8-bom", "txt")
    accept(MARKDOWN.encode(), "python", "survey-lf", "md")
    accept(MARKDOWN.replace("\n", "\r\n").encode(), "python", "survey-crlf", "md")
    accept(b"\xef\xbb\xbf" + MARKDOWN.encode(), "python", "survey-bom", "md")


@producing("pandoc-text", "pandoc")
def texts_pandoc():
    md = WORK / "survey.md"
    md.write_text(MARKDOWN)
    for target in ("gfm", "commonmark", "markdown"):
        accept(run(["pandoc", "-f", "markdown", "-t", target, str(md)]), "pandoc", f"markdown-to-{target}", "md")
    accept(run(["pandoc", "-f", "markdown", "-t", "plain", str(md)]), "pandoc", "markdown-to-plain", "txt")
    paragraphs = TEXTS["english"].split("\n\n")
    html = ("<html><body><h1>Ashford</h1><h2>The bridge</h2>" + "".join(f"<p>{p}</p>" for p in paragraphs[:2])
            + "<h2>The railway</h2><ul><li><strong>1861</strong>: the railway arrives</li><li><em>1874</em>: a lending library</li></ul>"
            + "".join(f"<p>{p}</p>" for p in paragraphs[2:]) + "</body></html>")
    accept(run(["pandoc", "-f", "html", "-t", "gfm"], stdin=html.encode()), "pandoc", "html-to-gfm", "md")


@producing("groff-text", "groff")
def texts_groff():
    roff = ".ll 72n\n.pl 1000i\n" + "\n.sp\n".join(TEXTS["english"].split("\n\n"))
    accept(run(["groff", "-Tutf8", "-P-cbou"], stdin=roff.encode()), "groff", "utf8-plain", "txt")


# ------------------------------------------------------------------ PDF

@producing("reportlab")
def pdf_reportlab():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    def story_pdf(text: str, font: str | None = None, **options) -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=A4, invariant=1, **options)
        styles = getSampleStyleSheet()
        style = styles["BodyText"]
        if font:
            style = style.clone("cjk", fontName=font, wordWrap="CJK")
        story = []
        for paragraph in text.split("\n\n"):
            story += [Paragraph(paragraph.replace("\n", " "), style), Spacer(1, 8)]
        doc.build(story)
        return buffer.getvalue()

    accept(story_pdf(TEXTS["english"]), "reportlab", "platypus-default-compression", "pdf")
    accept(story_pdf(TEXTS["english"], pageCompression=0), "reportlab", "platypus-uncompressed", "pdf")
    accept(story_pdf(TEXTS["french"]), "reportlab", "platypus-french", "pdf")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    accept(story_pdf(TEXTS["chinese"], "STSong-Light"), "reportlab", "cid-font-chinese", "pdf")
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    accept(story_pdf(TEXTS["japanese"], "HeiseiMin-W3"), "reportlab", "cid-font-japanese", "pdf")
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    y = 800
    for line in TEXTS["english"].replace("\n\n", "\n").split(". "):
        c.drawString(40, y, line[:95])
        y -= 14
        if y < 40:
            c.showPage()
            y = 800
    c.save()
    accept(buffer.getvalue(), "reportlab", "canvas-drawstring", "pdf")


def groff_source(text: str) -> bytes:
    return (".ll 6i\n" + "\n.sp\n".join(p.replace("\n", " ") for p in text.split("\n\n"))).encode()


@producing("groff-pdf", "groff")
def pdf_groff():
    accept(run(["groff", "-Tpdf"], stdin=groff_source(TEXTS["english"])), "groff", "gropdf", "pdf")


@producing("ghostscript", "gs")
def pdf_ghostscript():
    ps = run(["groff", "-Tps"], stdin=groff_source(TEXTS["english"])) if tool("groff") else None
    if ps is None:
        raise ValueError("groff is needed for the PostScript source")
    for level in ("1.4", "1.7"):
        accept(run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", f"-dCompatibilityLevel={level}",
                    "-sOutputFile=-", "-"], stdin=ps), "Ghostscript", f"ps2pdf-{level}", "pdf")
    src = WORK / "gs-source.pdf"
    src.write_bytes(run(["groff", "-Tpdf"], stdin=groff_source(TEXTS["german"])))
    accept(run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-sOutputFile=-", str(src)]), "Ghostscript",
           "redistilled-german", "pdf")


@producing("pdfTeX", "pdflatex")
def pdf_pdftex():
    tex = WORK / "doc.tex"
    body = "\n\n".join(TEXTS["english"].split("\n\n"))
    tex.write_text("\\documentclass{article}\n\\pdfinfoomitdate=1\n\\pdftrailerid{}\n\\begin{document}\n\\section{Ashford}\n"
                   + body + "\n\\end{document}\n")
    run(["pdflatex", "-interaction=batchmode", "doc.tex"], cwd=WORK)
    accept((WORK / "doc.pdf").read_bytes(), "pdfTeX", "article", "pdf")


@producing("pandoc-pdf", "pdflatex")
def pdf_pandoc():
    md = WORK / "survey-pdf.md"
    md.write_text(TEXTS["english"])
    out = WORK / "pandoc.pdf"
    run(["pandoc", str(md), "--pdf-engine=pdflatex", "-o", str(out)])
    accept(out.read_bytes(), "pandoc", "pdflatex", "pdf")


def soffice(source: Path, target: str) -> bytes:
    outdir = WORK / f"lo-{target.split(':')[0]}-{source.stem}"
    outdir.mkdir(exist_ok=True)
    run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{WORK}/lo-profile", "--convert-to", target,
         "--outdir", str(outdir), str(source)])
    return next(outdir.iterdir()).read_bytes()


# ------------------------------------------------------------------ DOCX

def python_docx(text: str, heading: str | None = None, table: bool = False) -> bytes:
    import docx
    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = __import__("datetime").datetime(2023, 11, 14)
    if heading:
        document.add_heading(heading, level=1)
    for paragraph in text.split("\n\n"):
        document.add_paragraph(paragraph.replace("\n", " "))
    if table:
        grid = document.add_table(rows=3, cols=3)
        for r, row in enumerate([("Building", "1861", "Today"), ("Wool store", "warehouse", "flats"), ("Toll house", "toll office", "museum")]):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@producing("python-docx")
def docx_python():
    accept(python_docx(TEXTS["english"], "Ashford", table=True), "python-docx", "english-heading-table", "docx")
    accept(python_docx(TEXTS["chinese"]), "python-docx", "chinese", "docx")
    accept(python_docx(TEXTS["arabic"]), "python-docx", "arabic", "docx")
    accept(python_docx(TEXTS["russian"]), "python-docx", "russian", "docx")


@producing("pandoc-docx", "pandoc")
def docx_pandoc():
    md = WORK / "survey-docx.md"
    md.write_text(MARKDOWN)
    accept(run(["pandoc", str(md), "-t", "docx", "-o", "-"]), "pandoc", "markdown-survey", "docx")
    md.write_text(TEXTS["japanese"])
    accept(run(["pandoc", str(md), "-t", "docx", "-o", "-"]), "pandoc", "japanese", "docx")


@producing("LibreOffice", "soffice")
def libreoffice():
    txt = WORK / "english.txt"
    txt.write_text(TEXTS["english"])
    accept(soffice(txt, "docx:MS Word 2007 XML"), "LibreOffice", "from-text", "docx")
    accept(soffice(txt, "pdf"), "LibreOffice", "writer-pdf", "pdf")
    zh = WORK / "chinese.txt"
    zh.write_text(TEXTS["chinese"])
    accept(soffice(zh, "pdf"), "LibreOffice", "writer-pdf-chinese", "pdf")
    src = WORK / "python.docx"
    src.write_bytes(python_docx(TEXTS["german"], "Bibliothek"))
    accept(soffice(src, "docx:MS Word 2007 XML"), "LibreOffice", "resaved-python-docx", "docx")
    odt = soffice(txt, "odt")
    refuse(odt, "LibreOffice", "odt", "not_docx", "an OpenDocument text named .docx", "docx")


# ------------------------------------------------------------------ damage

def valid(type_: str, producer: str, variant: str) -> bytes | None:
    for entry in MANIFEST:
        if entry["expect"] == "accept" and entry.get("type") == type_ and entry["producer"] == producer and entry["variant"] == variant:
            return (OUT / entry["file"]).read_bytes()
    return None


def flip(data: bytes, at: int, mask: int = 0xFF) -> bytes:
    out = bytearray(data)
    out[at] ^= mask
    return bytes(out)


def find(data: bytes, marker: bytes, start: int = 0) -> int:
    at = data.find(marker, start)
    if at < 0:
        raise ValueError(f"marker {marker!r} not found")
    return at


def mp3_frames(data: bytes) -> list[int]:
    """Frame starts of an MPEG-1/2 Layer III stream (lame's), after an ID3v2 tag."""
    at = 0
    if data[:3] == b"ID3":
        at = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    rates = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}
    kbps1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
    kbps2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
    starts = []
    while at + 4 <= len(data) and data[at] == 0xFF and data[at + 1] & 0xE0 == 0xE0:
        version = (data[at + 1] >> 3) & 3
        bitrate = (kbps1 if version == 3 else kbps2)[data[at + 2] >> 4]
        rate = rates[version][(data[at + 2] >> 2) & 3]
        samples = 1152 if version == 3 else 576
        starts.append(at)
        at += samples // 8 * bitrate * 1000 // rate + ((data[at + 2] >> 1) & 1)
    return starts


def damage():
    bases = {
        "png": ("Pillow", "rgb8", "png"), "jpeg": ("Pillow", "baseline-q90", "jpg"), "webp": ("Pillow", "lossy-q80", "webp"),
        "webp-lossless": ("Pillow", "lossless", "webp"), "tiff": ("Pillow", "lzw", "tif"), "bmp": ("Pillow", "rgb24", "bmp"),
        "bmp-rle8": ("generate.py", "rle8", "bmp"), "wav": ("libsndfile", "mono-pcm_16", "wav"), "mp3": ("lame", "cbr128-stereo", "mp3"),
        "flac": ("flac", "level-5", "flac"), "pdf": ("reportlab", "platypus-default-compression", "pdf"),
        "docx": ("python-docx", "english-heading-table", "docx"),
    }
    loaded = {}
    for key, (producer, variant, ext) in bases.items():
        data = valid(key.split("-")[0], producer, variant)
        if data is not None:
            loaded[key] = (data, producer, f"{key} {producer} {variant}", ext)

    for key, (data, producer, variant, ext) in loaded.items():
        # Truncation: early, in the middle, near the end, the last byte.
        # (A PDF's last byte is the line end after %%EOF, which it may do without: its cut goes into the %%EOF.)
        last = ("minus-7-bytes", len(data) - 7) if ext == "pdf" else ("minus-1-byte", len(data) - 1)
        for label, length in (("10pc", len(data) // 10), ("50pc", len(data) // 2), ("90pc", len(data) * 9 // 10), last):
            refuse(data[:length], producer, variant, "corrupt", f"truncated-{label}", ext)
        # A JPEG appended: data after the format's end.
        refuse(data + SMALL_JPEG, producer, variant, "corrupt", "jpeg-appended", ext)
        refuse(data + b"\0" * 64, producer, variant, "corrupt", "zeros-appended", ext)

    def bad(key: str, error: str, what: str, change):
        if key in loaded:
            data, producer, variant, ext = loaded[key]
            try:
                refuse(change(data), producer, variant, error, what, ext)
            except ValueError as problem:
                SKIPPED[f"damage:{key}:{what}"] = str(problem)

    # Flipped bytes where the format can tell: checksums, headers, compressed streams. (A byte flipped in a JPEG's
    # or a lossless WebP's entropy-coded data was tried: both decode without an error, to slightly wrong pixels;
    # neither format has a checksum, so no reader can tell, and such files are not in the corpus.)
    bad("png", "corrupt", "flipped-byte-in-idat", lambda d: flip(d, find(d, b"IDAT") + 40))
    bad("png", "corrupt", "flipped-byte-in-ihdr", lambda d: flip(d, 20, 0x01))
    bad("jpeg", "corrupt", "sof-marker-destroyed", lambda d: flip(d, find(d, b"\xff\xc0") + 1, 0x2F))
    bad("webp", "corrupt", "riff-size-too-large", lambda d: d[:4] + struct.pack("<I", len(d) + 100) + d[8:])
    bad("tiff", "corrupt", "flipped-byte-in-lzw-strip", lambda d: flip(d, 8 + 40, 0xFF))
    bad("tiff", "corrupt", "first-ifd-offset-past-end", lambda d: d[:4] + struct.pack("<I", len(d) + 8) + d[8:])
    bad("bmp", "corrupt", "bit-depth-field-flipped", lambda d: flip(d, 28, 0x03))
    bad("bmp-rle8", "corrupt", "rle-run-past-row-end", lambda d: d[: struct.unpack_from("<I", d, 10)[0]] + b"\xff\x01" * 200 + d[struct.unpack_from("<I", d, 10)[0] + 400:])
    bad("wav", "corrupt", "fmt-block-align-wrong", lambda d: flip(d, find(d, b"fmt ") + 8 + 12, 0x01))
    bad("wav", "corrupt", "data-size-past-end", lambda d: d[: find(d, b"data") + 4] + struct.pack("<I", len(d) * 2) + d[find(d, b"data") + 8:])
    bad("mp3", "corrupt", "frame-sync-destroyed-mid-stream", lambda d: flip(d, mp3_frames(d)[len(mp3_frames(d)) // 2], 0xFF))
    bad("flac", "corrupt", "flipped-byte-in-middle-frame", lambda d: flip(d, len(d) // 2, 0x10))
    bad("flac", "corrupt", "streaminfo-sample-rate-zero", lambda d: d[:18] + b"\0\0" + bytes([d[20] & 0x0F]) + d[21:])
    bad("pdf", "corrupt", "flipped-byte-in-flate-stream", lambda d: flip(d, find(d, b"stream") + 40, 0x55))
    bad("docx", "corrupt", "flipped-byte-in-compressed-document-xml", lambda d: docx_flip(d))

    mpo = valid("jpeg", "Pillow", "mpo-multi-picture")
    if mpo is not None:
        refuse(mpo[:-100], "Pillow", "jpeg Pillow mpo-multi-picture", "corrupt", "second-picture-truncated", "jpg")
        refuse(mpo + SMALL_JPEG, "Pillow", "jpeg Pillow mpo-multi-picture", "corrupt", "jpeg-appended-after-declared-pictures", "jpg")

    # Declared sizes far past the pixel limit, in otherwise well-formed headers (decompression bombs).
    bad("png", "too_many_pixels", "ihdr-declares-40000x40000", lambda d: png_dims(d, 40000, 40000))
    bad("jpeg", "too_many_pixels", "sof-declares-60000x60000", lambda d: d[: find(d, b"\xff\xc0") + 5] + struct.pack(">HH", 60000, 60000) + d[find(d, b"\xff\xc0") + 9:])
    # RLE is BMP's bomb: a few bytes of runs may declare any size.
    bad("bmp-rle8", "too_many_pixels", "rle-header-declares-30000x30000", rle_bomb)

    # A ZIP appended: data after the format's end that an unzip tool opens, refused as a polyglot.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(zipfile.ZipInfo("payload.txt", (2023, 11, 14, 0, 0, 0)), "hidden")
    for key in ("png", "jpeg", "webp", "tiff", "bmp", "wav", "mp3", "flac"):
        bad(key, "polyglot", "zip-appended", lambda d: d + archive.getvalue())

    # Renamed: the name never counts, the content's type is accepted.
    for key, real, ext in (("jpeg", "jpeg", "png"), ("png", "png", "jpg"), ("wav", "wav", "mp3"), ("mp3", "mp3", "wav"), ("flac", "flac", "wav"),
                           ("webp", "webp", "png"), ("bmp", "bmp", "tif"), ("docx", "docx", "pdf"), ("pdf", "pdf", "docx")):
        if key in loaded:
            data, producer, variant, _ = loaded[key]
            accept(data, producer, f"{variant} renamed to .{ext}", real, ext)

    # Other formats in disguise.
    refuse(pil(PIL_RGB.quantize(64), "GIF"), "Pillow", "gif", "unknown_type", "gif-named-png", "png")
    refuse(pil(PIL_RGB.resize((64, 48)), "ICO"), "Pillow", "ico", "unknown_type", "ico-named-bmp", "bmp")
    refuse(pil(PIL_RGB, "JPEG2000"), "Pillow", "jpeg2000", "unknown_type", "jp2-named-jpg", "jpg")
    refuse(pil(PIL_RGB, "PPM"), "Pillow", "ppm", "unknown_type", "ppm-named-bmp", "bmp")
    refuse(sf_bytes(signal(), RATE, "AIFF", "PCM_16"), "libsndfile", "aiff", "unknown_type", "aiff-named-wav", "wav")
    refuse(sf_bytes(signal(), RATE, "AU", "PCM_16"), "libsndfile", "au", "unknown_type", "au-named-wav", "wav")
    refuse(sf_bytes(signal(), RATE, "OGG", "VORBIS"), "libsndfile", "ogg-vorbis", "unknown_type", "ogg-named-mp3", "mp3")
    if tool("ffmpeg"):
        refuse(ffmpeg_audio(["-c:a", "aac", "-b:a", "64k"], "ipod", pipe=False), "ffmpeg", "m4a-aac", "unknown_type", "m4a-named-mp3", "mp3")
        refuse(ffmpeg_audio(["-c:a", "libopus", "-b:a", "32k"], "ogg"), "ffmpeg", "opus", "unknown_type", "opus-named-flac", "flac")
    refuse(gzip.compress(TEXTS["english"].encode(), mtime=0), "python", "gzip", "unknown_type", "gzip-named-txt", "txt")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("notes.txt", (2023, 11, 14, 0, 0, 0)), TEXTS["english"])
    refuse(plain_zip.getvalue(), "python zipfile", "zip", "not_docx", "plain-zip-named-docx", "docx")

    # Text in other encodings than UTF-8.
    refuse(TEXTS["french"].encode("latin-1"), "python", "french", "not_utf8", "latin-1", "txt")
    refuse(TEXTS["german"].replace("„", '"').replace("“", '"').encode("cp1252"), "python", "german", "not_utf8", "windows-1252", "txt")
    refuse(TEXTS["english"].encode("utf-16"), "python", "english", "not_utf8", "utf-16-with-bom", "txt")
    refuse(TEXTS["chinese"].encode("utf-16-be"), "python", "chinese", "not_utf8", "utf-16be-no-bom", "txt")
    refuse(TEXTS["japanese"].encode("shift_jis"), "python", "japanese", "not_utf8", "shift-jis", "txt")
    refuse(TEXTS["chinese"].encode("gb18030"), "python", "chinese", "not_utf8", "gb18030", "txt")
    refuse(TEXTS["russian"].encode("koi8-r"), "python", "russian", "not_utf8", "koi8-r", "txt")
    cut = TEXTS["chinese"].encode()
    refuse(cut[: len(cut) // 2 + (1 if (cut[len(cut) // 2] & 0xC0) == 0x80 else 2)], "python", "chinese", "not_utf8", "truncated-mid-character", "txt")
    refuse(b"", "python", "empty", "empty", "empty-file", "txt")


def rle_bomb(data: bytes) -> bytes:
    """An RLE8 bitmap declaring 30000×30000 pixels whose whole stream is its end-of-bitmap marker."""
    offset = struct.unpack_from("<I", data, 10)[0]
    body = data[6:18] + struct.pack("<ii", 30000, 30000) + data[26:offset] + b"\0\1"
    return b"BM" + struct.pack("<I", len(body) + 6) + body


def png_dims(data: bytes, width: int, height: int) -> bytes:
    ihdr = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    return data[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]


def docx_flip(data: bytes) -> bytes:
    """One byte flipped inside word/document.xml's deflated data, the ZIP's structure left intact."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("word/document.xml")
    header = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, header + 26)
    start = header + 30 + name_length + extra_length
    return flip(data, start + info.compress_size // 2, 0x20)


# ------------------------------------------------------------------ main

def main():
    damage()
    # What wrote the corpus: a reader (scripts/corpus/run.ts) regenerates one written by other sources.
    here = Path(__file__).resolve().parent
    generator = hashlib.sha256(b"".join((here / name).read_bytes() for name in ("generate.py", "texts.py", "requirements.txt"))).hexdigest()
    manifest = {"generator": generator, "files": MANIFEST, "skipped": SKIPPED}
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    shutil.rmtree(WORK, ignore_errors=True)
    counts: dict[str, int] = {}
    for entry in MANIFEST:
        key = entry.get("type", "bad") if entry["expect"] == "accept" else "bad"
        counts[key] = counts.get(key, 0) + 1
    print(json.dumps({"folder": str(OUT), "files": len(MANIFEST), "counts": counts, "skipped": SKIPPED}, ensure_ascii=False))


# The producers above ran as their decorators applied; damage reads what they wrote.
if __name__ == "__main__":
    main()
