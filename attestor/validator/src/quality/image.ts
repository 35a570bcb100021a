/**
 * Image quality figures from a full decode: dimensions, and how much the pixels vary (flat images). The decode
 * is `@provena/content`'s (decode/image.ts): the same as the gateway's perceptual hash, so a file the gateway
 * took decodes here too; BMP by its own decoder; 16-bit and float images on the 0..255 scale of their real range.
 */
import { decodeStrictly, openImage } from "@provena/content";
import type { ImageChecks } from "./score.js";

export type DecodedImage = { ok: true; checks: ImageChecks } | { ok: false; problem: string };

/**
 * Decodes every pixel (so a damaged file fails here) and measures.
 * Each measure runs on a fresh pipeline: running stats and metadata on one instance (or a clone) at once was
 * seen to return empty statistics now and then.
 */
export async function measureImage(bytes: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  const opened = await openImage(bytes, maxPixels);
  if (!opened.ok) return { ok: false, problem: opened.message };
  const image = opened.image;
  // sharp's stats() reads the decoded input, whatever operations the pipeline names: colour channels are
  // measured as stored (alpha left out below), in the image's own range, scaled after.
  const decoded = await decodeStrictly(image, (pipeline) => pipeline.stats());
  if (!decoded.ok) return { ok: false, problem: decoded.message };
  const stats = decoded.value;
  // The largest colour channel deviation: an image varying only in hue still varies.
  const colour = stats.channels.slice(0, Math.min(3, stats.channels.length));
  if (colour.length === 0) return { ok: false, problem: "no pixel channels decoded" };
  const metadata = await image.open("error").metadata();
  return {
    ok: true,
    checks: {
      width: image.width,
      height: image.height,
      channels: metadata.channels ?? colour.length,
      stdev: Math.max(...colour.map((channel) => channel.stdev)) * image.toByteScale,
      entropy: stats.entropy,
      sharpness: stats.sharpness,
      decodeWarning: decoded.warning,
    },
  };
}
