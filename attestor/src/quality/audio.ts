/**
 * Audio quality figures from a full decode: decoded duration against the declared one, decode
 * errors, level (RMS and peak in dBFS), share of silent 50 ms frames, clipping. WAV is decoded here
 * (PCM 8/16/24/32-bit, float 32/64-bit, A-law, µ-law); MP3 by mpg123 and FLAC by libFLAC, both
 * WebAssembly builds, created per file and freed after.
 */
import { FLACDecoder } from "@wasm-audio-decoders/flac";
import { MPEGDecoder } from "mpg123-decoder";
import { ascii, view } from "../sniff/bytes.js";
import type { AudioChecks } from "./score.js";

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
  let format: WavFormat | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = ascii(bytes, at, 4);
    const size = data.getUint32(at + 4, true);
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

// ------------------------------------------------------------------ measuring

/** Frames of 50 ms: long enough to hold a syllable's energy, short enough to find pauses. */
const FRAME_SECONDS = 0.05;
/** A sample at or beyond this magnitude is taken as clipped. */
const CLIP = 0.999;
/** Beyond this magnitude (+6 dBFS) a sample is not audio: real decoders overshoot full scale by a decibel or two at most, garbage frames by orders of magnitude. */
const OUT_OF_RANGE = 2;

/** Digital silence reads as this floor rather than −∞, so figures stay finite (and survive JSON). */
const FLOOR_DBFS = -200;
const dbfs = (rms: number) => (rms > 0 ? Math.max(FLOOR_DBFS, 20 * Math.log10(rms)) : FLOOR_DBFS);

/** Level, silence and clipping figures of decoded audio; `declaredSeconds` defaults to the decoded duration. */
export function measureAudio(audio: DecodedAudio, silenceDbfs: number, declaredSeconds?: number): AudioChecks {
  const { channelData, sampleRate } = audio;
  const frames = channelData[0]?.length ?? 0;
  const frameLength = Math.max(1, Math.round(sampleRate * FRAME_SECONDS));
  const silentPower = 10 ** (silenceDbfs / 10); // mean square of a frame at the silence level
  let sum = 0;
  let peak = 0;
  let clipped = 0;
  let invalid = 0;
  let silentFrames = 0;
  let windows = 0;
  for (let start = 0; start < frames; start += frameLength) {
    const end = Math.min(frames, start + frameLength);
    let windowSum = 0;
    for (const channel of channelData) {
      for (let i = start; i < end; i++) {
        const sample = channel[i]!;
        const magnitude = Math.abs(sample);
        if (!(magnitude <= OUT_OF_RANGE)) {
          invalid++; // NaN, infinite or far beyond full scale: counted, kept out of the level
          continue;
        }
        windowSum += sample * sample;
        if (magnitude > peak) peak = magnitude;
        if (magnitude >= CLIP) clipped++;
      }
    }
    sum += windowSum;
    windows++;
    if (windowSum / ((end - start) * channelData.length) < silentPower) silentFrames++;
  }
  const samples = frames * channelData.length;
  const decodedSeconds = sampleRate > 0 ? frames / sampleRate : 0;
  return {
    declaredSeconds: declaredSeconds ?? decodedSeconds,
    decodedSeconds,
    sampleRate,
    channels: channelData.length,
    decodeErrors: audio.errors,
    rmsDbfs: samples > 0 ? dbfs(Math.sqrt(sum / samples)) : FLOOR_DBFS,
    peakDbfs: dbfs(peak),
    silentShare: windows > 0 ? silentFrames / windows : 1,
    clippedShare: samples > 0 ? clipped / samples : 0,
    invalidShare: samples > 0 ? invalid / samples : 0,
  };
}
