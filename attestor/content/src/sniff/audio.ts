/**
 * Audio type from content: WAV, MP3 and FLAC headers parsed with every offset checked, giving the
 * duration. A truncated stream (data running past the end of the file, a cut last frame) is corrupt.
 */
import { fileTypeByName, type FileTypeName } from "@provena/common";
import { ascii, view } from "./bytes.js";

export type AudioTypeName = Extract<FileTypeName, "wav" | "mp3" | "flac">;

export type AudioSniff =
  | { ok: true; type: AudioTypeName; code: number; durationSeconds: number; sampleRate: number; channels: number }
  | { ok: false; error: "not_audio" | "corrupt"; message: string };

type Header = { durationSeconds: number; sampleRate: number; channels: number } | string;

// ------------------------------------------------------------------ WAV

/** PCM, IEEE float, A-law, µ-law, and WAVE_FORMAT_EXTENSIBLE. */
const WAV_FORMATS = new Set([1, 3, 6, 7, 0xfffe]);

/**
 * A size a writer could not fill in: one streaming to a pipe cannot seek back, and leaves the RIFF and data
 * sizes at 0xFFFFFFFF (ffmpeg) or 0. The data then runs to the end of the file, which the format allows.
 */
export const unknownWavSize = (size: number) => size === 0 || size === 0xffffffff;

/**
 * Chunks walked to the end the RIFF header declares, which must be the file's end (a pad byte aside): a cut
 * file runs past it, and data after it (another file riding along) is refused. A stream of unknown length
 * must end with whole sample frames.
 */
function wav(bytes: Uint8Array): Header {
  if (bytes.length < 12) return "truncated before its first chunk";
  const data = view(bytes);
  const riffSize = data.getUint32(4, true);
  const streamed = unknownWavSize(riffSize);
  const end = streamed ? bytes.length : riffSize + 8;
  if (end > bytes.length) return `RIFF size ${riffSize} runs past the file's ${bytes.length} bytes (truncated)`;
  if (bytes.length > end + (riffSize % 2)) return `${bytes.length - end} bytes after the RIFF data its header declares (data appended)`;
  let format: { channels: number; sampleRate: number; byteRate: number; blockAlign: number } | undefined;
  let found: { durationSeconds: number; sampleRate: number; channels: number } | undefined;
  let at = 12;
  while (at + 8 <= end) {
    const id = ascii(bytes, at, 4);
    let size = data.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "data" && streamed && unknownWavSize(size)) {
      size = end - body;
      if (format && size % format.blockAlign !== 0) return `its streamed data ends inside a sample frame (truncated)`;
    }
    if (body + size > end) return `chunk "${id}" of ${size} bytes runs past the end (truncated)`;
    if (id === "fmt ") {
      if (size < 16) return `fmt chunk of ${size} bytes`;
      const [code, channels, sampleRate, byteRate] = [
        data.getUint16(body, true),
        data.getUint16(body + 2, true),
        data.getUint32(body + 4, true),
        data.getUint32(body + 8, true),
      ];
      const [blockAlign, bits] = [data.getUint16(body + 12, true), data.getUint16(body + 14, true)];
      if (!WAV_FORMATS.has(code)) return `audio format ${code} is not PCM, float, A-law or µ-law`;
      if (channels === 0 || sampleRate === 0 || bits === 0) return "zero channels, sample rate or bits per sample";
      if (blockAlign !== channels * Math.ceil(bits / 8) || byteRate !== sampleRate * blockAlign)
        return "byte rate and block alignment disagree with the format";
      format = { channels, sampleRate, byteRate, blockAlign };
    } else if (id === "data" && !found) {
      if (!format) return "data chunk before the fmt chunk";
      found = { durationSeconds: size / format.byteRate, sampleRate: format.sampleRate, channels: format.channels };
    }
    at = body + size + (size % 2); // chunks are padded to an even length
  }
  // What is left is less than a chunk header: a last chunk's pad byte that the RIFF size leaves out.
  if (found && end - at > 1) return `${end - at} bytes after its last chunk`;
  return found ?? (format ? "no data chunk" : "no fmt chunk");
}

// ------------------------------------------------------------------ FLAC

/**
 * STREAMINFO, the metadata blocks, then every audio frame: each frame's header (sync code, fields, CRC-8) and
 * its CRC-16, frame after frame, with sample numbers that follow on. So a byte flipped anywhere in the audio,
 * a cut, or data after the last frame is found without decoding. The total number of samples may be 0,
 * "unknown" (a stream written to a pipe); then the frames give the duration.
 */
function flac(bytes: Uint8Array): Header {
  const data = view(bytes);
  let at = 4;
  let info: { sampleRate: number; channels: number; samples: number } | undefined;
  for (;;) {
    if (at + 4 > bytes.length) return "truncated in its metadata";
    const last = (bytes[at]! & 0x80) !== 0;
    const type = bytes[at]! & 0x7f;
    const length = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const body = at + 4;
    if (body + length > bytes.length) return `metadata block of ${length} bytes runs past the end`;
    if (!info) {
      if (type !== 0 || length !== 34) return "the first metadata block is not a 34-byte STREAMINFO";
      const sampleRate = (bytes[body + 10]! << 12) | (bytes[body + 11]! << 4) | (bytes[body + 12]! >> 4);
      const channels = ((bytes[body + 12]! >> 1) & 0x07) + 1;
      const samples = (bytes[body + 13]! & 0x0f) * 2 ** 32 + data.getUint32(body + 14);
      if (sampleRate === 0) return "sample rate 0";
      info = { sampleRate, channels, samples };
    } else if (type === 127) {
      return "invalid metadata block type 127";
    }
    at = body + length;
    if (last) break;
  }
  // An ID3v1 tag some taggers append is not part of the stream.
  const end = bytes.length >= 128 && ascii(bytes, bytes.length - 128, 3) === "TAG" ? bytes.length - 128 : bytes.length;
  const frames = walkFrames(bytes, at, end);
  if (typeof frames === "string") return frames;
  if (info.samples !== 0 && frames !== info.samples)
    return `its frames hold ${frames} samples of the ${info.samples} its STREAMINFO declares`;
  return { durationSeconds: frames / info.sampleRate, sampleRate: info.sampleRate, channels: info.channels };
}

/** The samples in the frames from `start` to `end`, each checked by its CRC-16; or what is wrong. */
function walkFrames(bytes: Uint8Array, start: number, end: number): number | string {
  let at = start;
  let samples = 0;
  let fixedBlock = 0;
  while (at < end) {
    const header = frameHeader(bytes, at);
    if (!header) return at === start ? "no audio frame after the metadata" : `no frame header at byte ${at} (damaged or data appended)`;
    // Frame numbers count fixed-size blocks (the first frame's size); sample numbers count samples.
    fixedBlock ||= header.blockSize;
    const first = header.variable ? header.number : header.number * fixedBlock;
    if (first !== samples) return `the frame at byte ${at} starts at sample ${first}, not ${samples}`;
    // The frame ends where its CRC-16 matches and the next header (or the stream's end) begins: a sync code
    // inside the audio data does not match the CRC, except by chance, which the next header's check catches.
    let crc = 0;
    let next = -1;
    for (let i = at; i + 2 <= end; i++) {
      const stored = (bytes[i]! << 8) | bytes[i + 1]!;
      if (crc === stored && i > header.headerEnd && (i + 2 === end || (bytes[i + 2] === 0xff && frameHeader(bytes, i + 2)))) {
        next = i + 2;
        break;
      }
      // Zeros after a frame extend it with a CRC that still matches (a CRC over its own CRC and zeros is 0):
      // a match followed by nothing but zeros is the last frame, and the zeros are data after it.
      if (crc === stored && i > header.headerEnd && bytes.subarray(i + 2, end).every((byte) => byte === 0))
        return `${end - i - 2} zero bytes after the last frame (data appended)`;
      crc = ((crc << 8) & 0xffff) ^ CRC16[(crc >> 8) ^ bytes[i]!]!;
    }
    if (next < 0) return `the frame at byte ${at} does not end with a matching CRC-16: the stream is cut or damaged, or has data after it`;
    samples += header.blockSize;
    at = next;
  }
  return samples === 0 ? "no audio frame after the metadata" : samples;
}

const crcTable = (poly: number, bits: 8 | 16) =>
  Uint16Array.from({ length: 256 }, (_, byte) => {
    let crc = byte << (bits - 8);
    for (let i = 0; i < 8; i++) crc = crc & (1 << (bits - 1)) ? (crc << 1) ^ poly : crc << 1;
    return crc & ((1 << bits) - 1);
  });
const CRC8 = crcTable(0x07, 8);
const CRC16 = crcTable(0x8005, 16);
const crc8 = (bytes: Uint8Array) => bytes.reduce((crc, byte) => CRC8[crc ^ byte]!, 0);

/** A frame header at `at` (sync code, fields, CRC-8): its frame or sample number, block size and end, or undefined. */
function frameHeader(
  bytes: Uint8Array,
  at: number,
): { variable: boolean; number: number; blockSize: number; headerEnd: number } | undefined {
  if (bytes[at] !== 0xff || (bytes[at + 1]! & 0xfe) !== 0xf8 || at + 5 > bytes.length) return undefined;
  const variable = (bytes[at + 1]! & 1) === 1;
  const sizeCode = bytes[at + 2]! >> 4;
  const rateCode = bytes[at + 2]! & 0x0f;
  if (sizeCode === 0 || rateCode === 15 || bytes[at + 3]! >> 4 > 10 || (bytes[at + 3]! & 1) !== 0) return undefined;
  // The frame or sample number, coded like UTF-8 (up to 7 bytes, 36 bits).
  let p = at + 4;
  const lead = bytes[p]!;
  const extra =
    lead < 0x80 ? 0 : lead >= 0xfe ? 6 : lead >= 0xfc ? 5 : lead >= 0xf8 ? 4 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : -1;
  if (extra < 0 || p + extra >= bytes.length) return undefined;
  let number = extra === 0 ? lead : lead & (0x3f >> extra);
  for (let i = 1; i <= extra; i++) {
    if ((bytes[p + i]! & 0xc0) !== 0x80) return undefined;
    number = number * 64 + (bytes[p + i]! & 0x3f);
  }
  p += extra + 1;
  let blockSize = sizeCode === 1 ? 192 : sizeCode <= 5 ? 576 << (sizeCode - 2) : sizeCode >= 8 ? 256 << (sizeCode - 8) : 0;
  if (sizeCode === 6) blockSize = bytes[p++]! + 1;
  else if (sizeCode === 7) {
    blockSize = ((bytes[p]! << 8) | bytes[p + 1]!) + 1;
    p += 2;
  }
  if (rateCode === 12) p += 1;
  else if (rateCode === 13 || rateCode === 14) p += 2;
  if (p >= bytes.length || crc8(bytes.subarray(at, p)) !== bytes[p]) return undefined;
  return { variable, number, blockSize, headerEnd: p + 1 };
}

// ------------------------------------------------------------------ MP3

const MPEG1_L3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_L3_KBPS = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES: Record<number, readonly number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
const ID3V1_LENGTH = 128;

/** Length of an ID3v2 tag at the start, or 0. */
function id3v2Length(bytes: Uint8Array): number | string {
  if (ascii(bytes, 0, 3) !== "ID3") return 0;
  if (bytes.length < 10) return "truncated ID3 tag";
  const size = [6, 7, 8, 9].map((i) => bytes[i]!);
  if (size.some((b) => b & 0x80)) return "ID3 tag size is not syncsafe";
  const footer = (bytes[5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + footer + ((size[0]! << 21) | (size[1]! << 14) | (size[2]! << 7) | size[3]!);
}

type Frame = { length: number; samples: number; sampleRate: number; channels: number };

function mp3Frame(bytes: Uint8Array, at: number): Frame | undefined {
  if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1]! & 0xe0) !== 0xe0) return undefined;
  const version = (bytes[at + 1]! >> 3) & 0x03; // 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5
  const layer = (bytes[at + 1]! >> 1) & 0x03; // 1 = Layer III
  const bitrateIndex = bytes[at + 2]! >> 4;
  const rateIndex = (bytes[at + 2]! >> 2) & 0x03;
  const padding = (bytes[at + 2]! >> 1) & 0x01;
  const sampleRate = SAMPLE_RATES[version]?.[rateIndex];
  if (layer !== 1 || sampleRate === undefined || bitrateIndex === 0 || bitrateIndex === 15) return undefined;
  const mpeg1 = version === 3;
  const kbps = (mpeg1 ? MPEG1_L3_KBPS : MPEG2_L3_KBPS)[bitrateIndex]!;
  const samples = mpeg1 ? 1152 : 576;
  const length = Math.floor(((samples / 8) * kbps * 1000) / sampleRate) + padding;
  return { length, samples, sampleRate, channels: bytes[at + 3]! >> 6 === 3 ? 1 : 2 };
}

/** Where a Xing/Info frame's tag sits in the first frame: after the header and side information. */
const xingOffset = (bytes: Uint8Array, at: number) => {
  const mpeg1 = ((bytes[at + 1]! >> 3) & 0x03) === 3;
  const mono = bytes[at + 3]! >> 6 === 3;
  return at + 4 + (mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17);
};

/**
 * Where the audio frames end: before an ID3v1 tag (the last 128 bytes, "TAG") and an APEv2 or APEv1 tag
 * before it (a 32-byte "APETAGEX" footer whose size counts its items and itself, after a header when a flag
 * says so). These are the tags players read at the end of an MP3; anything else after the frames is refused.
 */
function mp3End(bytes: Uint8Array, start: number): number | string {
  let end = bytes.length;
  if (end - ID3V1_LENGTH >= start && ascii(bytes, end - ID3V1_LENGTH, 3) === "TAG") end -= ID3V1_LENGTH;
  if (end - 32 >= start && ascii(bytes, end - 32, 8) === "APETAGEX") {
    const data = view(bytes);
    const size = data.getUint32(end - 32 + 12, true);
    const header = (data.getUint32(end - 32 + 20, true) & 0x80000000) !== 0 ? 32 : 0;
    const tagStart = end - size - header;
    if (size < 32 || tagStart < start) return `its APE tag declares ${size} bytes, more than the file holds`;
    if (header && ascii(bytes, tagStart, 8) !== "APETAGEX") return "its APE tag's header is missing";
    end = tagStart;
  }
  return end;
}

function mp3(bytes: Uint8Array): Header {
  const start = id3v2Length(bytes);
  if (typeof start === "string") return start;
  const end = mp3End(bytes, start);
  if (typeof end === "string") return end;
  let at = start;
  let samples = 0;
  let frames = 0;
  let first: Frame | undefined;
  let declaredFrames: number | undefined;
  while (at < end) {
    const frame = mp3Frame(bytes, at);
    if (!frame) return `no MPEG audio Layer III frame at byte ${at}${first ? " (damaged, or data appended)" : ""}`;
    if (at + frame.length > end) return `the frame at byte ${at} is cut short`;
    if (first && frame.sampleRate !== first.sampleRate) return `sample rate changes at byte ${at}`;
    if (!first) {
      // A Xing or Info frame (LAME, ffmpeg) carries no audio and counts the frames after it.
      const tag = xingOffset(bytes, at);
      const name = ascii(bytes, tag, 4);
      if ((name === "Xing" || name === "Info") && tag + 12 <= at + frame.length && (view(bytes).getUint32(tag + 4) & 1) !== 0) {
        declaredFrames = view(bytes).getUint32(tag + 8);
        first = frame;
        at += frame.length;
        continue;
      }
    }
    first ??= frame;
    samples += frame.samples;
    frames++;
    at += frame.length;
  }
  if (!first || frames === 0) return "no audio frames";
  // A stream cut between two frames still parses: its Xing frame's count tells (0 means a writer left it unset).
  if (declaredFrames && frames !== declaredFrames)
    return `its Xing/Info frame declares ${declaredFrames} frames, and ${frames} follow (truncated or damaged)`;
  return { durationSeconds: samples / first.sampleRate, sampleRate: first.sampleRate, channels: first.channels };
}

// ------------------------------------------------------------------ entry point

const FORMATS: { type: AudioTypeName; matches: (bytes: Uint8Array) => boolean; parse: (bytes: Uint8Array) => Header }[] = [
  { type: "wav", matches: (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WAVE", parse: wav },
  { type: "flac", matches: (b) => ascii(b, 0, 4) === "fLaC", parse: flac },
  // An ID3v2 tag: "ID3" and a major version 2 to 4 (a control character, so text that starts "ID3" is not audio).
  { type: "mp3", matches: (b) => (ascii(b, 0, 3) === "ID3" && b[3]! >= 2 && b[3]! <= 4) || mp3Frame(b, 0) !== undefined, parse: mp3 },
];

/** The audio type, duration and format of `bytes`, or why they are not acceptable audio. Never throws. */
export function sniffAudio(bytes: Uint8Array): AudioSniff {
  const format = FORMATS.find((f) => f.matches(bytes));
  if (!format) return { ok: false, error: "not_audio", message: "not a WAV, MP3 or FLAC file (no known signature)" };
  const header = format.parse(bytes);
  if (typeof header === "string") return { ok: false, error: "corrupt", message: `corrupt ${format.type.toUpperCase()}: ${header}` };
  return { ok: true, type: format.type, code: fileTypeByName(format.type).code, ...header };
}
