/**
 * Audio quality figures from a full decode (`@provena/content`'s decoders): decoded duration against the
 * declared one, decode errors, level (RMS and peak in dBFS), share of silent 50 ms frames, clipping.
 */
import type { DecodedAudio } from "@provena/content";
import type { AudioChecks } from "./score.js";

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
