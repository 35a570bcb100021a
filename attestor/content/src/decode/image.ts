/**
 * An image opened for a full decode, the same way for the gateway's perceptual hash and the validator's
 * measures, so that the two never disagree on whether a file decodes: sharp (libvips) for PNG, JPEG, WebP and
 * TIFF, this package's own decoder for BMP (sharp's libvips has no BMP loader). A decode is strict — any
 * decoder warning means missing or wrong pixels — except for warnings that leave the picture intact.
 * Samples are brought to one scale: 16-bit and float images are measured on their real range, not as if
 * their values were 8-bit ones.
 */
import sharp, { type Sharp } from "sharp";
import { decodeBmp } from "./bmp.js";

export type OpenedImage = {
  width: number;
  height: number;
  /** A fresh pipeline over the pixels; its output is 8-bit (a float image scaled from its range first, 16-bit converted by sharp). */
  open: (failOn: "warning" | "error") => Sharp;
  /**
   * Factor from a statistic of the decoded samples to the 0..255 scale. sharp's `stats()` reads the input as
   * decoded and applies none of the pipeline's operations, so its figures are in the image's own range.
   */
  toByteScale: number;
};

export type ImageFailure = { ok: false; error: "corrupt" | "too_many_pixels"; message: string };

/**
 * Decoder warnings that leave the picture intact: stray bytes between JPEG markers, which some cameras and
 * editors write. Any other warning (a stream that ends early, a bad checksum, invalid data) means pixels are
 * missing or wrong, and libvips would fill them with grey.
 */
const HARMLESS_WARNING = /extraneous bytes before marker/i;

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();

/** The image ready to decode, or why it cannot be (its header does not parse, too many pixels, BMP damage). Never throws. */
export async function openImage(bytes: Uint8Array, maxPixels: number): Promise<{ ok: true; image: OpenedImage } | ImageFailure> {
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) {
    const decoded = decodeBmp(bytes, maxPixels);
    if (!decoded.ok) return { ok: false, error: decoded.error, message: `the BMP does not decode: ${decoded.message}` };
    const { width, height, channels, pixels } = decoded.image;
    return { ok: true, image: { width, height, toByteScale: 1, open: () => sharp(pixels, { raw: { width, height, channels } }) } };
  }
  try {
    const base = (failOn: "warning" | "error") => sharp(bytes, { limitInputPixels: maxPixels, failOn });
    const metadata = await base("error").metadata();
    const [width, height] = [metadata.width ?? 0, metadata.height ?? 0];
    if (metadata.depth === "ushort" || metadata.depth === "short")
      return { ok: true, image: { width, height, open: base, toByteScale: 255 / 65535 } };
    if (metadata.depth !== "float" && metadata.depth !== "double")
      return { ok: true, image: { width, height, open: base, toByteScale: 1 } };
    // Float samples: scRGB is 0..1 by definition (and libvips converts it on output). Other float images have
    // no defined range; writers use 0..1 (libtiff, ImageMagick), 0..255 or 0..65535: the largest sample says which.
    if (metadata.space === "scrgb") return { ok: true, image: { width, height, open: base, toByteScale: 255 } };
    // (sharp's stats give the maximum as an integer: 0 or 1 for a 0..1 image.) The pixels are scaled to 8 bits
    // once, here: sharp converts to greyscale before it applies `linear`, so a pipeline cannot do it.
    const stats = await base("warning").stats();
    const max = Math.max(...stats.channels.map((channel) => channel.max));
    const range = max <= 1 ? 1 : max <= 255 ? 255 : Math.max(max, 65535);
    const { data, info } = await base("warning")
      .linear(255 / range, 0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { width: info.width, height: info.height, channels: info.channels };
    return { ok: true, image: { width, height, toByteScale: 1, open: () => sharp(data, { raw }) } };
  } catch (error) {
    return { ok: false, error: "corrupt", message: `the image does not decode: ${firstLine(error)}` };
  }
}

/**
 * `run` over the whole image, strictly (a decoder warning fails it); retried leniently only for a harmless
 * warning, which is then reported. Never throws: a decode error is the failure's message.
 */
export async function decodeStrictly<T>(
  image: OpenedImage,
  run: (pipeline: Sharp) => Promise<T>,
): Promise<{ ok: true; value: T; warning: string } | ImageFailure> {
  try {
    return { ok: true, value: await run(image.open("warning")), warning: "" };
  } catch (error) {
    const message = firstLine(error);
    if (!HARMLESS_WARNING.test(message)) return { ok: false, error: "corrupt", message: `the image does not decode: ${message}` };
    try {
      return { ok: true, value: await run(image.open("error")), warning: message };
    } catch (again) {
      return { ok: false, error: "corrupt", message: `the image does not decode: ${firstLine(again)}` };
    }
  }
}
