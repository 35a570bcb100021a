/**
 * The automatic validator's quality checks: a file whose type is known is decoded in full, measured
 * (text.ts, image.ts, audio.ts) and judged (score.ts) into a verdict proposal with a score, a reason
 * code and an explanation a contributor can read. The file is sniffed again first, so bytes that are
 * not the type they were said to be are refused as the wrong type rather than misjudged.
 */
import { Reason, fileTypeByName, type FileTypeName } from "@provena/common";
import { decodeAudio, extractText, sniffAudio, sniffImage } from "@provena/content";
import { measureAudio } from "./audio.js";
import { measureImage } from "./image.js";
import { DEFAULT_QUALITY, failure, judgeAudio, judgeImage, judgeText, verdict, type Assessment, type QualityOptions } from "./score.js";
import { measureText } from "./text.js";

export { DEFAULT_QUALITY, type Assessment, type Checks, type QualityOptions } from "./score.js";

async function assessText(bytes: Uint8Array, type: "txt" | "md" | "pdf" | "docx", options: QualityOptions): Promise<Assessment> {
  const extracted = await extractText(bytes, type);
  if (!extracted.ok) return failure(extracted.error === "wrong_type" ? Reason.WrongType : Reason.Corrupt, extracted.message);
  const checks = measureText(extracted.text, options.textSampleCharacters);
  return verdict(judgeText(checks, options), { ...checks, ...(type === "pdf" || type === "docx" ? { extractedFrom: type } : {}) }, options);
}

async function assessImage(bytes: Uint8Array, type: FileTypeName, options: QualityOptions): Promise<Assessment> {
  // Header first: the right format, and dimensions within the pixel limit before anything is decoded.
  const sniff = sniffImage(bytes, { maxPixels: options.maxPixels });
  if (!sniff.ok) return failure(sniff.error === "not_image" ? Reason.WrongType : Reason.Corrupt, sniff.message);
  if (sniff.type !== type) return failure(Reason.WrongType, `the file is ${sniff.type.toUpperCase()}, not ${type.toUpperCase()}`);
  const measured = await measureImage(bytes, options.maxPixels);
  if (!measured.ok) return failure(Reason.Corrupt, measured.problem, { width: sniff.width, height: sniff.height });
  return verdict(judgeImage(measured.checks, options), measured.checks, options);
}

async function assessAudio(bytes: Uint8Array, type: "wav" | "mp3" | "flac", options: QualityOptions): Promise<Assessment> {
  const sniff = sniffAudio(bytes);
  if (!sniff.ok && sniff.error === "not_audio") return failure(Reason.WrongType, sniff.message);
  if (sniff.ok && sniff.type !== type)
    return failure(Reason.WrongType, `the file is ${sniff.type.toUpperCase()}, not ${type.toUpperCase()}`);
  const decoded = await decodeAudio(bytes, type);
  if (!decoded.ok) return failure(Reason.Corrupt, `the ${type.toUpperCase()} stream does not decode: ${decoded.problem}`);
  // The headers' duration (WAV: its data chunk's; MP3: its frames'; FLAC: its STREAMINFO's) against what decoded.
  const declared = decoded.declaredSeconds ?? (sniff.ok ? sniff.durationSeconds : undefined);
  const checks = measureAudio(decoded.audio, options.silenceDbfs, declared);
  if (!sniff.ok) {
    const of = declared === undefined ? "" : ` of the ${declared.toFixed(2)} s declared`;
    return failure(Reason.Corrupt, `${sniff.message} (${checks.decodedSeconds.toFixed(2)} s${of} decoded)`, checks);
  }
  return verdict(judgeAudio(checks, options), checks, options);
}

/**
 * A verdict proposal for a file of a known type: accept or refuse, a score 0..100, a reason code
 * (1 accepted, 2 wrong type, 3 corrupt or unreadable, 6 low quality), an explanation naming the
 * measured figures, and the figures. Never throws: anything unexpected is reason 3.
 */
export async function assess(bytes: Uint8Array, type: FileTypeName, options: Partial<QualityOptions> = {}): Promise<Assessment> {
  const settings: QualityOptions = { ...DEFAULT_QUALITY, ...options };
  try {
    switch (type) {
      case "txt":
      case "md":
      case "pdf":
      case "docx":
        return await assessText(bytes, type, settings);
      case "wav":
      case "mp3":
      case "flac":
        return await assessAudio(bytes, type, settings);
      default:
        if (fileTypeByName(type).modality === "image") return await assessImage(bytes, type, settings);
        return failure(Reason.WrongType, `no quality checks for type ${String(type)}`);
    }
  } catch (error) {
    return failure(Reason.Corrupt, `the file could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}
