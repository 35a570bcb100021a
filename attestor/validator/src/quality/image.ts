/**
 * Image quality figures from a full decode: dimensions, and how much the pixels vary (flat images).
 * sharp decodes PNG, JPEG, WebP and TIFF; BMP comes decoded to raw pixels from `@provena/content`.
 */
import sharp, { type Sharp } from "sharp";
import { decodeBmp } from "@provena/content";
import type { ImageChecks } from "./score.js";

export type DecodedImage = { ok: true; checks: ImageChecks } | { ok: false; problem: string };

/**
 * Decodes every pixel (so a damaged file fails here), flattens transparency onto white, and measures.
 * `open` gives a fresh pipeline each time: running stats and metadata on one instance (or a clone)
 * at once was seen to return empty statistics now and then.
 */
async function measure(open: () => Sharp, decodeWarning = ""): Promise<ImageChecks> {
  const stats = await open().flatten({ background: "#ffffff" }).stats();
  const metadata = await open().metadata();
  // The largest channel deviation: an image varying only in hue still varies. Alpha was flattened away.
  const colour = stats.channels.slice(0, Math.min(3, stats.channels.length));
  if (colour.length === 0) throw new Error("no pixel channels decoded");
  return {
    width: metadata.width ?? 0,
    height: metadata.height ?? 0,
    channels: metadata.channels ?? colour.length,
    stdev: Math.max(...colour.map((channel) => channel.stdev)),
    entropy: stats.entropy,
    sharpness: stats.sharpness,
    decodeWarning,
  };
}

/**
 * Decoder warnings that leave the picture intact: stray bytes between JPEG markers, which some
 * cameras and editors write. Any other warning (a stream that ends early, a bad checksum, invalid
 * data) means pixels are missing or wrong, and libvips would fill them with grey.
 */
const HARMLESS_WARNING = /extraneous bytes before marker/i;

/** A strict decode (any decoder warning fails it); retried leniently, at a lower score, only for a harmless warning. */
async function decodeAndMeasure(bytes: Uint8Array, maxPixels: number): Promise<ImageChecks> {
  try {
    return await measure(() => sharp(bytes, { limitInputPixels: maxPixels, failOn: "warning" }));
  } catch (error) {
    const message = (error as Error).message.split("\n")[0]!.trim();
    if (!HARMLESS_WARNING.test(message)) throw new Error(message);
    return await measure(() => sharp(bytes, { limitInputPixels: maxPixels, failOn: "error" }), message);
  }
}

/** Figures of an image of a type sharp decodes, or BMP; or why it does not decode. */
export async function measureImage(bytes: Uint8Array, isBmp: boolean, maxPixels: number): Promise<DecodedImage> {
  try {
    if (isBmp) {
      const raw = decodeBmp(bytes);
      if (typeof raw === "string") return { ok: false, problem: `the BMP does not decode: ${raw}` };
      if (raw.width * raw.height > maxPixels)
        return { ok: false, problem: `${raw.width}×${raw.height} pixels, over the limit of ${maxPixels.toLocaleString("en-US")}` };
      return { ok: true, checks: await measure(() => sharp(raw.pixels, { raw: { width: raw.width, height: raw.height, channels: 3 } })) };
    }
    return { ok: true, checks: await decodeAndMeasure(bytes, maxPixels) };
  } catch (error) {
    return { ok: false, problem: `the image does not decode: ${(error as Error).message}` };
  }
}
