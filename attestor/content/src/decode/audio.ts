/**
 * Audio decoded in full to samples: WAV here (PCM 8/16/24/32-bit, float 32/64-bit, A-law, µ-law); MP3 by
 * mpg123 and FLAC by libFLAC, both WebAssembly builds, created per file and freed after.
 */
import { FLACDecoder } from "@wasm-audio-decoders/flac";
import { MPEGDecoder } from "mpg123-decoder";
import { unknownWavSize } from "../sniff/audio.js";
import { ascii, view } from "../sniff/bytes.js";

export type DecodedAudio = { channelData: Float32Array[]; sampleRate: number; errors: number };

/** What a decode gave: samples, or why there are none; `declaredSeconds` when the container says. */
export type Decode = { ok: true; audio: DecodedAudio; declaredSeconds?: number } | { ok: false; problem: string };

// ------------------------------------------------------------------ WAV

const PCM = 1;
const FLOAT = 3;
const ALAW = 6;
const MULAW = 7;
const EXTENSIBLE = 0xfffe;

type WavFormat = { code: number; channels: number; sampleRate: number; blockAlign: number; bits: number };

/** G.711 A-law byte to a sample in −1..1. */
function alaw(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 7;
  const mantissa = a & 15;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return ((a & 0x80 ? 1 : -1) * magnitude) / 32768;
}

/** G.711 µ-law byte to a sample in −1..1. */
function mulaw(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 15) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
  return ((u & 0x80 ? -1 : 1) * magnitude) / 32768;
}

/** A reader for one sample of the format at a byte offset, or why the format is not read. */
function sampleReader(format: WavFormat, data: DataView): ((at: number) => number) | string {
  const { code, bits } = format;
  if (code === PCM && bits === 8) return (at) => (data.getUint8(at) - 128) / 128; // 8-bit PCM is unsigned
  if (code === PCM && bits === 16) return (at) => data.getInt16(at, true) / 32768;
  if (code === PCM && bits === 24)
    return (at) => ((data.getUint8(at + 2) << 24) | (data.getUint8(at + 1) << 16) | (data.getUint8(at) << 8)) / 2 ** 31;
  if (code === PCM && bits === 32) return (at) => data.getInt32(at, true) / 2 ** 31;
  if (code === FLOAT && bits === 32) return (at) => data.getFloat32(at, true);
  if (code === FLOAT && bits === 64) return (at) => data.getFloat64(at, true);
  if (code === ALAW && bits === 8) return (at) => alaw(data.getUint8(at));
  if (code === MULAW && bits === 8) return (at) => mulaw(data.getUint8(at));
  return `format ${code} with ${bits} bits per sample is not decoded here`;
}

/**
 * The samples of a RIFF/WAVE file. A data chunk cut short by the end of the file is decoded as far
 * as it goes, and its declared length reported, so the verdict can say how much is missing.
 */
export function decodeWav(bytes: Uint8Array): Decode {
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== "RIFF" || ascii(bytes, 8, 4) !== "WAVE")
    return { ok: false, problem: "not a RIFF/WAVE file" };
  const data = view(bytes);
  const streamed = unknownWavSize(data.getUint32(4, true));
  let format: WavFormat | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = ascii(bytes, at, 4);
    let size = data.getUint32(at + 4, true);
    // Written to a pipe, a WAV's sizes stay unknown and its data runs to the end of the file.
    if (id === "data" && streamed && unknownWavSize(size)) size = bytes.length - (at + 8);
    const body = at + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) return { ok: false, problem: "its fmt chunk is too short" };
      let code = data.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE names the real format in the first two bytes of its sub-format GUID.
      if (code === EXTENSIBLE) code = size >= 40 && body + 26 <= bytes.length ? data.getUint16(body + 24, true) : -1;
      format = {
        code,
        channels: data.getUint16(body + 2, true),
        sampleRate: data.getUint32(body + 4, true),
        blockAlign: data.getUint16(body + 12, true),
        bits: data.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (!format) return { ok: false, problem: "its data chunk comes before the fmt chunk" };
      return wavSamples(bytes, format, body, size);
    }
    at = body + size + (size % 2); // chunks are padded to an even length
  }
  return { ok: false, problem: format ? "no data chunk" : "no fmt chunk" };
}

function wavSamples(bytes: Uint8Array, format: WavFormat, start: number, declaredSize: number): Decode {
  const { channels, sampleRate, blockAlign } = format;
  const bytesPerSample = Math.ceil(format.bits / 8);
  if (channels === 0 || sampleRate === 0 || blockAlign !== channels * bytesPerSample)
    return { ok: false, problem: "its channels, sample rate and block alignment disagree" };
  const read = sampleReader(format, view(bytes));
  if (typeof read === "string") return { ok: false, problem: read };
  const present = Math.min(declaredSize, bytes.length - start);
  const frames = Math.floor(present / blockAlign);
  const channelData = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let frame = 0; frame < frames; frame++) {
    for (let channel = 0; channel < channels; channel++)
      channelData[channel]![frame] = read(start + frame * blockAlign + channel * bytesPerSample);
  }
  return { ok: true, audio: { channelData, sampleRate, errors: 0 }, declaredSeconds: declaredSize / blockAlign / sampleRate };
}

// ------------------------------------------------------------------ MP3 and FLAC

/** MP3 through mpg123. The decoder is freed whatever happens. */
export async function decodeMp3(bytes: Uint8Array): Promise<Decode> {
  const decoder = new MPEGDecoder();
  try {
    await decoder.ready;
    const result = decoder.decode(bytes);
    if (result.samplesDecoded === 0)
      return { ok: false, problem: `no MPEG audio frame decodes${result.errors[0] ? ` (${result.errors[0].message})` : ""}` };
    return { ok: true, audio: { channelData: result.channelData, sampleRate: result.sampleRate, errors: result.errors.length } };
  } finally {
    decoder.free();
  }
}

/** FLAC through libFLAC, as one whole file. The decoder is freed whatever happens. */
export async function decodeFlac(bytes: Uint8Array): Promise<Decode> {
  const decoder = new FLACDecoder();
  try {
    await decoder.ready;
    const result = await decoder.decodeFile(bytes);
    if (result.samplesDecoded === 0)
      return { ok: false, problem: `no FLAC frame decodes${result.errors[0] ? ` (${result.errors[0].message})` : ""}` };
    return { ok: true, audio: { channelData: result.channelData, sampleRate: result.sampleRate, errors: result.errors.length } };
  } finally {
    decoder.free();
  }
}

const DECODERS: Record<"wav" | "mp3" | "flac", (bytes: Uint8Array) => Decode | Promise<Decode>> = {
  wav: decodeWav,
  mp3: decodeMp3,
  flac: decodeFlac,
};

/** The samples of an audio file of a known type, or why it does not decode. */
export const decodeAudio = async (bytes: Uint8Array, type: "wav" | "mp3" | "flac"): Promise<Decode> => DECODERS[type](bytes);
