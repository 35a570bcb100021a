/**
 * Audio sniffing from content: WAV, FLAC and MP3 headers parsed to their duration; truncated and
 * corrupt streams refused with a reason; arbitrary bytes never throw.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { sniffAudio } from "@provena/content";
import { flacFile } from "../fixtures/flac.js";

const u32le = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const u16le = (n: number) => [n & 255, (n >>> 8) & 255];

function wav({ sampleRate = 8000, channels = 1, bits = 16, seconds = 1 } = {}) {
  const blockAlign = channels * (bits / 8);
  const dataSize = sampleRate * blockAlign * seconds;
  const fmt = [
    ...Buffer.from("fmt "),
    ...u32le(16),
    ...u16le(1),
    ...u16le(channels),
    ...u32le(sampleRate),
    ...u32le(sampleRate * blockAlign),
    ...u16le(blockAlign),
    ...u16le(bits),
  ];
  const body = [...Buffer.from("WAVE"), ...fmt, ...Buffer.from("data"), ...u32le(dataSize), ...new Array(dataSize).fill(0)];
  return Uint8Array.from([...Buffer.from("RIFF"), ...u32le(body.length), ...body]);
}

/** A whole FLAC stream of silence (real frames, checksummed): the sniffer checks that it ends with a whole frame. */
const flac = ({ sampleRate = 44100, channels = 2, samples = 88200 } = {}) =>
  flacFile(
    Array.from({ length: channels }, () => new Float32Array(samples)),
    sampleRate,
  );

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, stereo: 417-byte frames of 1,152 samples. */
function mp3(frames: number, { id3 = false } = {}) {
  const frame = [0xff, 0xfb, 0x90, 0x00, ...new Array(413).fill(0)];
  const tag = id3 ? [...Buffer.from("ID3"), 4, 0, 0, 0, 0, 0, 10, ...new Array(10).fill(0)] : [];
  return Uint8Array.from([...tag, ...Array.from({ length: frames }, () => frame).flat()]);
}

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

test("each format's header gives its type, code, duration and format", () => {
  const w = sniffAudio(wav({ seconds: 2 }));
  assert.ok(w.ok);
  assert.deepEqual([w.type, w.code, w.sampleRate, w.channels], ["wav", 0x20, 8000, 1]);
  close(w.durationSeconds, 2);
  const f = sniffAudio(flac());
  assert.ok(f.ok);
  assert.deepEqual([f.type, f.code, f.sampleRate, f.channels], ["flac", 0x22, 44100, 2]);
  close(f.durationSeconds, 2);
  for (const bytes of [mp3(10), mp3(10, { id3: true })]) {
    const m = sniffAudio(bytes);
    assert.ok(m.ok, m.ok ? "" : m.message);
    assert.deepEqual([m.type, m.code, m.sampleRate, m.channels], ["mp3", 0x21, 44100, 2]);
    close(m.durationSeconds, (10 * 1152) / 44100);
  }
});

test("truncated streams are corrupt, with the reason", () => {
  const cases: [Uint8Array, RegExp][] = [
    [wav().subarray(0, 1000), /RIFF size \d+ runs past/],
    [flac().subarray(0, 30), /metadata block of 34 bytes runs past the end/],
    [flac().subarray(0, 42), /no audio frame after the metadata/],
    // Cut inside the audio frames, anywhere: the file no longer ends with a whole frame.
    ...[1, 3, 100, 2_000, 50_000].map((cut): [Uint8Array, RegExp] => [
      flac().subarray(0, flac().length - cut),
      /does not end with a matching CRC-16: the stream is cut or damaged/,
    ]),
    [mp3(10).subarray(0, 417 * 9 + 100), /the frame at byte 3753 is cut short/],
  ];
  for (const [bytes, reason] of cases) {
    const sniff = sniffAudio(bytes);
    assert.equal(sniff.ok, false);
    assert.match(sniff.ok ? "" : sniff.message, reason);
  }
});

test("a FLAC stream ends with the frame that holds its last declared sample", () => {
  // Whole frames, but fewer samples than STREAMINFO declares (frames dropped from the end).
  const short = flacFile([new Float32Array(5_000)], 8000);
  const declaredMore = Uint8Array.from(short);
  [declaredMore[8 + 16], declaredMore[8 + 17]] = [6_024 >> 8, 6_024 & 255]; // STREAMINFO's total samples, low 16 bits
  assert.match(JSON.stringify(sniffAudio(declaredMore)), /its frames hold 5000 samples of the 6024 its STREAMINFO declares/);
  // An ID3v1 tag after the stream is not part of it.
  const tagged = Uint8Array.from([...short, ...Buffer.from("TAG"), ...new Array(125).fill(0x20)]);
  assert.equal(sniffAudio(tagged).ok, true);
});

test("corrupt headers name what is wrong", () => {
  const badRate = wav();
  badRate[28] = 1; // byte rate no longer sample rate × block alignment
  assert.match(JSON.stringify(sniffAudio(badRate)), /byte rate and block alignment disagree/);
  assert.match(JSON.stringify(sniffAudio(flac({ samples: 0 }))), /no audio frame after the metadata/);
  const junk = mp3(5);
  junk[417 * 3] = 0x00; // the fourth frame's sync is gone
  assert.match(JSON.stringify(sniffAudio(junk)), /no MPEG audio Layer III frame at byte 1251/);
});

test("the content decides, not the name: images and text are not audio", () => {
  for (const bytes of [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    new TextEncoder().encode("RIFF but not really"),
    new Uint8Array(0),
  ]) {
    const sniff = sniffAudio(bytes);
    assert.deepEqual(sniff.ok ? undefined : sniff.error, "not_audio");
  }
});

test("random bytes and randomly damaged headers never throw", () => {
  for (let i = 0; i < 3000; i++) sniffAudio(randomBytes(i % 300));
  for (const bytes of [wav({ seconds: 0.01 }), flac(), mp3(3, { id3: true })]) {
    for (let i = 0; i < 2000; i++) {
      const damaged = Uint8Array.from(bytes.subarray(0, 4 + (i % bytes.length)));
      for (let flips = 0; flips < 3; flips++) damaged[(i * 7 + flips * 13) % damaged.length] = randomBytes(1)[0]!;
      assert.equal(typeof sniffAudio(damaged).ok, "boolean");
    }
  }
});
