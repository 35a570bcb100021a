/**
 * The quality rules, in one place: measured figures (from text.ts, image.ts, audio.ts) in, a verdict
 * proposal out. Pure functions: the same figures always give the same verdict, so validators who run
 * the automatic checks agree and the verdict they sign can be reproduced.
 *
 * How a score is made: every rule turns one figure into a factor in 0..1 (1 = no concern) and a
 * clause for the explanation; the score is 100 × the product of the factors, rounded. A rule may
 * also refuse outright (too short, gibberish, silent…): a refused file scores 0, because a rejected
 * contribution counts for nothing on the leaderboard anyway. A file no rule refuses is still refused
 * for low quality when its score is under `minScore` (several small concerns add up).
 */

import { Reason, reasonText } from "@provena/common";

export type Checks = Record<string, number | string | boolean>;

export type Assessment = {
  accept: boolean;
  /** Integer 0..100, the on-chain verdict score. */
  score: number;
  /** The checks here give Accepted, WrongType, Corrupt or LowQuality; the validator's own checks NearDuplicate too. */
  reason: Reason;
  /** One readable sentence naming the measured figures and the thresholds they were held to. */
  explanation: string;
  /** The measured figures. */
  checks: Checks;
};

export type QualityOptions = {
  /** The score a file needs to be accepted. */
  minScore: number;
  // ---- text (txt, md, and the text extracted from pdf and docx)
  /**
   * Fewer UTF-8 bytes than this is too little to be worth a contribution. Length is counted in bytes, not
   * characters, so that every script is measured alike: a byte per Latin letter, two per Cyrillic, Greek,
   * Arabic or Hebrew letter, three per Chinese, Japanese, Korean, Indic or Thai character — about what a
   * character of each carries (the same story is ~1,700 bytes in each of them, and 541 characters in Chinese).
   */
  minBytes: number;
  /** From this length (UTF-8 bytes) on, length no longer lowers the score. */
  fullCreditBytes: number;
  /** Above this share of control characters, the text is unreadable (binary). */
  maxControlShare: number;
  /** deflate size ÷ UTF-8 size above this: random bytes or symbols, not language. */
  maxCompressionRatio: number;
  /** deflate size ÷ UTF-8 size below this: the same few lines over and over. */
  minCompressionRatio: number;
  /** deflate(text) ÷ deflate(text with its characters shuffled) above this: no more structure than random letters. */
  maxStructureRatio: number;
  /** The structure ratio is judged only from this many characters on (shorter texts have too few repeats to tell). */
  structureMinCharacters: number;
  /**
   * The same for a text written mostly in Chinese, Japanese or Korean characters: with thousands of
   * characters in use, a text repeats itself less (541 characters of real Chinese: 0.96, random 1.0).
   */
  structureMinCjkCharacters: number;
  /** Above this share of lines repeating an earlier line, the text is boilerplate. */
  maxDuplicateLineShare: number;
  /** Compression figures are measured on at most this many characters from the start (time bound). */
  textSampleCharacters: number;
  // ---- images
  /** A shorter side than this (pixels) is too small to be useful. */
  minSide: number;
  /** From this shorter side on, size no longer lowers the score. */
  fullCreditSide: number;
  /** Largest standard deviation of a colour channel (0..255) under which the image is one flat colour. */
  minStdev: number;
  /** Images declaring more pixels are not decoded (decompression bombs). */
  maxPixels: number;
  // ---- audio
  /** Shorter decoded audio (seconds) is too short. */
  minSeconds: number;
  /** From this duration on, duration no longer lowers the score. */
  fullCreditSeconds: number;
  /** Level (dBFS) under which audio, or a 50 ms frame of it, is silence. */
  silenceDbfs: number;
  /** Above this share of silent frames, the recording is mostly silence. */
  maxSilentShare: number;
  /** Decoding less than this share of the duration the headers declare means a truncated or damaged stream. */
  minDecodedShare: number;
};

/**
 * Calibration (see the tests; figures also from licence texts, this repository's Markdown and
 * source, Python's CJK and numeric test texts): natural text compresses (raw deflate) to 0.34–0.75,
 * shorter texts worse; random letters to 0.60–0.71; random printable characters to 0.83–1.0; a
 * repeated line to 0.01–0.08. The raw ratio cannot tell random letters from short prose, so gibberish
 * is judged mainly by the structure ratio: natural text 0.75–0.86 at 500 characters and lower beyond
 * (English, French, Markdown, licence text, numeric tables, Japanese), random text of any alphabet
 * 0.99–1.01 from 300 characters on.
 */
export const DEFAULT_QUALITY: QualityOptions = {
  minScore: 50,
  minBytes: 200,
  fullCreditBytes: 2_000,
  maxControlShare: 0.01,
  maxCompressionRatio: 0.9,
  minCompressionRatio: 0.1,
  maxStructureRatio: 0.95,
  structureMinCharacters: 500,
  structureMinCjkCharacters: 1_500,
  maxDuplicateLineShare: 0.5,
  textSampleCharacters: 200_000,
  minSide: 64,
  fullCreditSide: 512,
  minStdev: 2,
  maxPixels: 100_000_000,
  minSeconds: 1,
  fullCreditSeconds: 10,
  silenceDbfs: -60,
  maxSilentShare: 0.8,
  minDecodedShare: 0.9,
};

/** One figure judged: how much it lowers the score, whether it refuses the file, and what to say. */
export type Finding = { factor: number; refuse?: Reason; says: string };

// ------------------------------------------------------------------ helpers

/** 0 at `from`, 1 at `to`, linear between, clamped (from > to ramps downwards). */
export const ramp = (value: number, from: number, to: number): number => Math.min(1, Math.max(0, (value - from) / (to - from)));

/** Like `ramp`, on a logarithmic scale: doubling a length counts the same at any size. */
const logRamp = (value: number, from: number, to: number): number => ramp(Math.log(Math.max(value, 1e-9)), Math.log(from), Math.log(to));

/** `lowest` at `from`, 1 at `to`: a factor that lowers the score by up to 1 − lowest. */
const factorBetween = (lowest: number, position: number): number => lowest + (1 - lowest) * position;

const count = (n: number) => n.toLocaleString("en-US");
const fixed = (n: number, digits = 2) => n.toFixed(digits);
const percent = (share: number) => `${share < 0.001 && share > 0 ? "<0.1" : Number((share * 100).toFixed(1))}%`;

// ------------------------------------------------------------------ verdicts

/** A verdict from findings: refused if any refuses (first refusal's reason), or if the score is too low. */
export function verdict(findings: readonly Finding[], checks: Checks, options: QualityOptions): Assessment {
  const refusals = findings.filter((f) => f.refuse !== undefined);
  const product = findings.reduce((p, f) => p * f.factor, 1);
  const score = refusals.length > 0 ? 0 : Math.max(0, Math.min(100, Math.round(100 * product)));
  const clauses = (list: readonly Finding[]) => list.map((f) => f.says).join("; ");
  if (refusals.length > 0) {
    const reason = refusals[0]!.refuse!;
    const others = findings.filter((f) => f.refuse === undefined);
    const measured = others.length > 0 ? `; also measured: ${clauses(others)}` : "";
    return { accept: false, score, reason, explanation: `refused as ${reasonText(reason)}: ${clauses(refusals)}${measured}.`, checks };
  }
  if (score < options.minScore) {
    return {
      accept: false,
      score,
      reason: Reason.LowQuality,
      explanation: `refused as low quality, score ${score} under the ${options.minScore} needed: ${clauses(findings)}.`,
      checks,
    };
  }
  return { accept: true, score, reason: Reason.Accepted, explanation: `accepted, score ${score}: ${clauses(findings)}.`, checks };
}

/** A file that could not be measured at all (undecodable, not the type it was said to be). */
export const failure = (reason: Reason, problem: string, checks: Checks = {}): Assessment => ({
  accept: false,
  score: 0,
  reason,
  explanation: `refused as ${reasonText(reason)}: ${problem}.`,
  checks,
});

// ------------------------------------------------------------------ text

export type TextChecks = {
  characters: number;
  /** UTF-8 bytes: the length judged. */
  bytes: number;
  /** Share of the letters that are Chinese, Japanese (kana) or Korean characters. */
  cjkShare: number;
  lines: number;
  words: number;
  controlShare: number;
  compressionRatio: number;
  structureRatio: number;
  duplicateLineShare: number;
  loremIpsum: boolean;
};

export function judgeText(c: TextChecks, o: QualityOptions): Finding[] {
  const findings: Finding[] = [];
  // Length (UTF-8 bytes, alike for every script): a few sentences are too little; past `fullCreditBytes` more text earns no more.
  const length = `${count(c.bytes)} bytes (${count(c.characters)} characters)`;
  findings.push(
    c.bytes < o.minBytes
      ? { factor: 0, refuse: Reason.LowQuality, says: `only ${length}, under the minimum of ${count(o.minBytes)} bytes` }
      : { factor: factorBetween(0.6, logRamp(c.bytes, o.minBytes, o.fullCreditBytes)), says: `text of ${length}` },
  );
  // Control characters: a few may come from a PDF's extraction; many mean binary content.
  if (c.controlShare > 0) {
    findings.push(
      c.controlShare > o.maxControlShare
        ? {
            factor: 0,
            refuse: Reason.Corrupt,
            says: `${percent(c.controlShare)} control characters, above the ${percent(o.maxControlShare)} of unreadable text`,
          }
        : { factor: factorBetween(0.7, 1 - c.controlShare / o.maxControlShare), says: `${percent(c.controlShare)} control characters` },
    );
  }
  // Raw compression ratio: random symbols barely compress; the same lines over and over compress to
  // almost nothing. Within 0.1 of either limit the score is lowered, not yet refused.
  const ratio = c.compressionRatio;
  const limits = `(gibberish above ${fixed(o.maxCompressionRatio)}, repetition below ${fixed(o.minCompressionRatio)} refused)`;
  if (ratio > o.maxCompressionRatio)
    findings.push({
      factor: 0,
      refuse: Reason.LowQuality,
      says: `compression ratio ${fixed(ratio)}: random-looking, gibberish above ${fixed(o.maxCompressionRatio)}`,
    });
  else if (ratio < o.minCompressionRatio)
    findings.push({
      factor: 0,
      refuse: Reason.LowQuality,
      says: `compression ratio ${fixed(ratio)}: repetitive, under ${fixed(o.minCompressionRatio)}`,
    });
  else {
    const high = ramp(ratio, o.maxCompressionRatio, o.maxCompressionRatio - 0.1);
    const low = ramp(ratio, o.minCompressionRatio, o.minCompressionRatio + 0.1);
    findings.push({ factor: factorBetween(0.5, Math.min(high, low)), says: `compression ratio ${fixed(ratio)} ${limits}` });
  }
  // Structure ratio: language repeats words and syllables, so it compresses better than its own
  // characters shuffled; random letters do not. Too few repeats in a short text to tell.
  if (c.characters >= (c.cjkShare > 0.5 ? o.structureMinCjkCharacters : o.structureMinCharacters)) {
    findings.push(
      c.structureRatio > o.maxStructureRatio
        ? {
            factor: 0,
            refuse: Reason.LowQuality,
            says: `structure ratio ${fixed(c.structureRatio)}: no more structure than shuffled characters, gibberish above ${fixed(o.maxStructureRatio)}`,
          }
        : {
            factor: factorBetween(0.5, ramp(c.structureRatio, o.maxStructureRatio, o.maxStructureRatio - 0.05)),
            says: `structure ratio ${fixed(c.structureRatio)} (gibberish above ${fixed(o.maxStructureRatio)})`,
          },
    );
  }
  // Duplicate lines: some repetition is normal (headings, refrains); most of the text repeating is
  // boilerplate. Lowered from 20%, refused above the limit.
  const duplicates = c.duplicateLineShare;
  findings.push(
    duplicates > o.maxDuplicateLineShare
      ? {
          factor: 0,
          refuse: Reason.LowQuality,
          says: `${percent(duplicates)} of its lines are repeats: boilerplate above ${percent(o.maxDuplicateLineShare)}`,
        }
      : { factor: factorBetween(0.5, ramp(duplicates, o.maxDuplicateLineShare, 0.2)), says: `${percent(duplicates)} duplicate lines` },
  );
  if (c.loremIpsum) findings.push({ factor: 0, refuse: Reason.LowQuality, says: "lorem ipsum placeholder text" });
  return findings;
}

// ------------------------------------------------------------------ images

export type ImageChecks = {
  width: number;
  height: number;
  channels: number;
  /** Largest standard deviation of a colour channel, 0..255. */
  stdev: number;
  /** Greyscale histogram entropy (bits) and Laplacian sharpness, as sharp's stats() gives them. */
  entropy: number;
  sharpness: number;
  /** The decoder's warning when only a lenient decode succeeded; "" when none. */
  decodeWarning: string;
};

export function judgeImage(c: ImageChecks, o: QualityOptions): Finding[] {
  const side = Math.min(c.width, c.height);
  const size = `${c.width}×${c.height}`;
  const findings: Finding[] = [
    // Size: thumbnails and icons carry little; past `fullCreditSide` more pixels earn no more.
    side < o.minSide
      ? { factor: 0, refuse: Reason.LowQuality, says: `${size} pixels, smaller than the minimum of ${o.minSide} on a side` }
      : { factor: factorBetween(0.7, logRamp(side, o.minSide, o.fullCreditSide)), says: `image of ${size} pixels` },
    // Flatness: one colour (blank scans, empty canvases) carries nothing; little variation, little.
    c.stdev < o.minStdev
      ? {
          factor: 0,
          refuse: Reason.LowQuality,
          says: `pixel standard deviation ${fixed(c.stdev, 1)}: a flat image, under ${fixed(o.minStdev, 1)}`,
        }
      : {
          factor: factorBetween(0.5, ramp(c.stdev, o.minStdev, 8 * o.minStdev)),
          says: `pixel standard deviation ${fixed(c.stdev, 1)} (flat under ${fixed(o.minStdev, 1)})`,
        },
    // Entropy and sharpness are reported for people, not scored: a two-tone diagram is legitimate.
    { factor: 1, says: `entropy ${fixed(c.entropy)} bits` },
  ];
  // A stream the decoder had to skip over in places shows what it could, but may be damaged.
  if (c.decodeWarning) findings.push({ factor: 0.8, says: `decoded only leniently (${c.decodeWarning})` });
  return findings;
}

// ------------------------------------------------------------------ audio

export type AudioChecks = {
  declaredSeconds: number;
  decodedSeconds: number;
  sampleRate: number;
  channels: number;
  decodeErrors: number;
  rmsDbfs: number;
  peakDbfs: number;
  silentShare: number;
  clippedShare: number;
  /** Samples that are NaN, infinite or beyond ±2 (+6 dBFS): what garbage decodes to. */
  invalidShare: number;
};

const dB = (value: number) => (Number.isFinite(value) ? `${fixed(value, 1)} dBFS` : "−∞ dBFS");

export function judgeAudio(c: AudioChecks, o: QualityOptions): Finding[] {
  const findings: Finding[] = [];
  const decodedShare = c.declaredSeconds > 0 ? c.decodedSeconds / c.declaredSeconds : 1;
  // Integrity: a stream that decodes to much less than its headers declare is cut or damaged.
  // Garbage that happens to parse as frames decodes to samples far beyond full scale.
  if (c.invalidShare > 0.0001)
    findings.push({
      factor: 0,
      refuse: Reason.Corrupt,
      says: `${percent(c.invalidShare)} of samples decode far beyond full scale: not audio`,
    });
  if (decodedShare < o.minDecodedShare) {
    findings.push({
      factor: 0,
      refuse: Reason.Corrupt,
      says: `only ${fixed(c.decodedSeconds)} s of the ${fixed(c.declaredSeconds)} s its headers declare decode`,
    });
  }
  // A few bad frames are survivable (players skip them) but lower the score.
  if (c.decodeErrors > 0) findings.push({ factor: 0.8, says: `${count(c.decodeErrors)} frames failed to decode` });
  findings.push(
    c.decodedSeconds < o.minSeconds
      ? {
          factor: 0,
          refuse: Reason.LowQuality,
          says: `${fixed(c.decodedSeconds)} s of audio, shorter than the minimum of ${fixed(o.minSeconds, 1)} s`,
        }
      : {
          factor: factorBetween(0.7, logRamp(c.decodedSeconds, o.minSeconds, o.fullCreditSeconds)),
          says: `${fixed(c.decodedSeconds)} s of audio at ${count(c.sampleRate)} Hz`,
        },
  );
  // Loudness: digital silence or hiss far below any speech or music. Quiet recordings (−60 to −45
  // dBFS) are lowered, not refused.
  findings.push(
    !(c.rmsDbfs >= o.silenceDbfs)
      ? { factor: 0, refuse: Reason.LowQuality, says: `level ${dB(c.rmsDbfs)}: silence, under ${dB(o.silenceDbfs)}` }
      : {
          factor: factorBetween(0.5, ramp(c.rmsDbfs, o.silenceDbfs, o.silenceDbfs + 15)),
          says: `level ${dB(c.rmsDbfs)} RMS, peak ${dB(c.peakDbfs)}`,
        },
  );
  // Silent frames: pauses are normal; a recording that is mostly silence is not.
  findings.push(
    c.silentShare > o.maxSilentShare
      ? { factor: 0, refuse: Reason.LowQuality, says: `${percent(c.silentShare)} of it is silence, above ${percent(o.maxSilentShare)}` }
      : { factor: factorBetween(0.5, ramp(c.silentShare, o.maxSilentShare, 0.3)), says: `${percent(c.silentShare)} silent frames` },
  );
  // Clipping: a little is common in loud recordings; a lot is distortion.
  if (c.clippedShare > 0.001)
    findings.push({ factor: factorBetween(0.5, ramp(c.clippedShare, 0.1, 0.01)), says: `${percent(c.clippedShare)} of samples clipped` });
  return findings;
}
