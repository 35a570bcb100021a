/**
 * Audio quality: every sample is decoded (WAV here, in each PCM, float and G.711 form; MP3 by mpg123;
 * FLAC by libFLAC) and measured. A 440 Hz tone passes; silence, mostly-silent, too-short, truncated
 * and garbage streams are refused with the reason and the figures.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assess } from "../../attestor/validator/src/quality/index.js";
import { Reason, seededRandom } from "@provena/common";
import { decodeWav } from "@provena/content";
import { flacFile } from "../fixtures/flac.js";

const u16 = (n: number) => [n & 255, (n >>> 8) & 255];
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

const RATE = 8000;
/** `seconds` of a sine of `amplitude` (then `silence` seconds of nothing), as samples in −1..1. */
function tone(seconds: number, { amplitude = 0.5, frequency = 440, silence = 0 } = {}): Float32Array {
  const samples = new Float32Array(Math.round((seconds + silence) * RATE));
  for (let i = 0; i < seconds * RATE; i++) samples[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / RATE);
  return samples;
}
/** A sine at amplitude 0.5 has an RMS of 0.5/√2: −9.03 dBFS. */
const SINE_DBFS = 20 * Math.log10(0.5 / Math.SQRT2);

// ------------------------------------------------------------------ WAV

const G711 = {
  alaw: (byte: number) => {
    const a = byte ^ 0x55;
    const [exponent, mantissa] = [(a >> 4) & 7, a & 15];
    const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
    return (a & 0x80 ? magnitude : -magnitude) / 32768;
  },
  mulaw: (byte: number) => {
    const u = ~byte & 0xff;
    const magnitude = ((((u & 15) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
    return (u & 0x80 ? -magnitude : magnitude) / 32768;
  },
};
/** The G.711 byte whose value is nearest to `x` (an encoder by search: slow, plain, and obviously right). */
const nearest = (decode: (byte: number) => number, x: number) => {
  let best = 0;
  for (let byte = 1; byte < 256; byte++) if (Math.abs(decode(byte) - x) < Math.abs(decode(best) - x)) best = byte;
  return best;
};

type WavFormat = "pcm8" | "pcm16" | "pcm24" | "pcm32" | "float32" | "float64" | "alaw" | "mulaw";
const FORMAT: Record<WavFormat, { code: number; bits: number; write: (x: number) => number[] }> = {
  pcm8: { code: 1, bits: 8, write: (x) => [Math.max(0, Math.min(255, Math.round(x * 128) + 128))] },
  pcm16: { code: 1, bits: 16, write: (x) => u16(Math.max(-32768, Math.min(32767, Math.round(x * 32768)))) },
  pcm24: { code: 1, bits: 24, write: (x) => u32(Math.round(x * 2 ** 23)).slice(0, 3) },
  pcm32: { code: 1, bits: 32, write: (x) => u32(Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(x * 2 ** 31)))) },
  float32: { code: 3, bits: 32, write: (x) => [...new Uint8Array(Float32Array.of(x).buffer)] },
  float64: { code: 3, bits: 64, write: (x) => [...new Uint8Array(Float64Array.of(x).buffer)] },
  alaw: { code: 6, bits: 8, write: (x) => [nearest(G711.alaw, x)] },
  mulaw: { code: 7, bits: 8, write: (x) => [nearest(G711.mulaw, x)] },
};

/** A WAV of `channels` (equal lengths) in `format`; `extensible` writes WAVE_FORMAT_EXTENSIBLE's fmt chunk. */
function wav(channels: Float32Array[], format: WavFormat = "pcm16", { extensible = false, rate = RATE } = {}): Uint8Array {
  const { code, bits, write } = FORMAT[format];
  const blockAlign = channels.length * (bits / 8);
  const data: number[] = [];
  for (let i = 0; i < channels[0]!.length; i++) for (const channel of channels) data.push(...write(channel[i]!));
  const common = [...u16(channels.length), ...u32(rate), ...u32(rate * blockAlign), ...u16(blockAlign), ...u16(bits)];
  const fmt = extensible
    ? [
        ...u16(0xfffe),
        ...common,
        ...u16(22),
        ...u16(bits),
        ...u32(0),
        ...u16(code),
        0x00,
        0x00,
        0x00,
        0x00,
        0x10,
        0x00,
        0x80,
        0x00,
        0x00,
        0xaa,
        0x00,
        0x38,
        0x9b,
        0x71,
      ]
    : [...u16(code), ...common];
  const body = [
    ...Buffer.from("WAVE"),
    ...Buffer.from("fmt "),
    ...u32(fmt.length),
    ...fmt,
    ...Buffer.from("data"),
    ...u32(data.length),
    ...data,
  ];
  return Uint8Array.from([...Buffer.from("RIFF"), ...u32(body.length), ...body]);
}

test("a 2-second 440 Hz tone is accepted, with its duration and level named", async () => {
  const result = await assess(wav([tone(2)]), "wav");
  assert.equal(result.accept, true, result.explanation);
  assert.equal(result.reason, Reason.Accepted);
  assert.deepEqual(
    [
      result.checks.decodedSeconds,
      result.checks.declaredSeconds,
      result.checks.sampleRate,
      result.checks.channels,
      result.checks.silentShare,
    ],
    [2, 2, 8000, 1, 0],
  );
  assert.ok(Math.abs((result.checks.rmsDbfs as number) - SINE_DBFS) < 0.01);
  assert.equal(
    result.explanation,
    `accepted, score ${result.score}: 2.00 s of audio at 8,000 Hz; level -9.0 dBFS RMS, peak -6.0 dBFS; 0% silent frames.`,
  );
  // Longer audio earns more, up to 10 s.
  const long = await assess(wav([tone(10)]), "wav");
  assert.ok(result.score < long.score && long.score === 100, `${result.score} then ${long.score}`);
});

test("every WAV sample format decodes to the same tone", () => {
  const samples = tone(0.5);
  const cases: [WavFormat, boolean, number][] = [
    ["pcm8", false, 0.1],
    ["pcm16", false, 0.01],
    ["pcm24", false, 0.01],
    ["pcm32", false, 0.01],
    ["float32", false, 0.01],
    ["float64", false, 0.01],
    ["float32", true, 0.01],
    ["pcm24", true, 0.01],
    ["alaw", false, 0.1],
    ["mulaw", false, 0.1],
  ];
  for (const [format, extensible, tolerance] of cases) {
    const decoded = decodeWav(wav([samples, samples.map((x) => -x)], format, { extensible }));
    assert.ok(decoded.ok, `${format}: ${decoded.ok ? "" : decoded.problem}`);
    const [left, right] = decoded.audio.channelData;
    const worst = samples.reduce((max, x, i) => Math.max(max, Math.abs(left![i]! - x), Math.abs(right![i]! + x)), 0);
    assert.ok(worst < tolerance, `${format}${extensible ? " (extensible)" : ""}: off by ${worst}`);
  }
  // G.711 end points, as the standard tables give them.
  const g711 = decodeWav(wav([Float32Array.of(1, -1, 0)], "mulaw"));
  assert.deepEqual(g711.ok && [...g711.audio.channelData[0]!].map((x) => Math.round(x * 32768) || 0), [32124, -32124, 0]); // || 0: µ-law has a −0
  const alaw = decodeWav(wav([Float32Array.of(1, -1, 0)], "alaw"));
  assert.deepEqual(alaw.ok && [...alaw.audio.channelData[0]!].map((x) => Math.round(x * 32768)), [32256, -32256, -8]); // A-law has no zero: ±8
});

test("silence, mostly-silent and too-short audio are refused as low quality", async () => {
  const silence = await assess(wav([new Float32Array(2 * RATE)]), "wav");
  assert.deepEqual([silence.accept, silence.score, silence.reason], [false, 0, Reason.LowQuality]);
  assert.match(
    silence.explanation,
    /^refused as low quality: level -200\.0 dBFS: silence, under -60\.0 dBFS; 100% of it is silence, above 80%/,
  );
  // Low hiss (−70 dBFS) is silence too.
  const random = seededRandom(5);
  const hiss = await assess(wav([Float32Array.from({ length: 2 * RATE }, () => (random() - 0.5) * 0.001)]), "wav");
  assert.equal(hiss.reason, Reason.LowQuality);

  const mostly = await assess(wav([tone(0.2, { silence: 1.8 })]), "wav");
  assert.equal(mostly.reason, Reason.LowQuality);
  assert.match(mostly.explanation, /^refused as low quality: 90% of it is silence, above 80%/);

  const short = await assess(wav([tone(0.2)]), "wav");
  assert.deepEqual([short.accept, short.reason], [false, Reason.LowQuality]);
  assert.match(short.explanation, /^refused as low quality: 0\.20 s of audio, shorter than the minimum of 1\.0 s/);
  assert.equal((await assess(wav([tone(0.2)]), "wav", { minSeconds: 0.1 })).accept, true);
});

test("a quiet recording is accepted with a lower score; heavy clipping lowers it too", async () => {
  const loud = await assess(wav([tone(3)]), "wav");
  const quiet = await assess(wav([tone(3, { amplitude: 0.003 })]), "wav"); // −53 dBFS
  assert.equal(quiet.accept, true, quiet.explanation);
  assert.ok(quiet.score < loud.score - 15, `${quiet.score} vs ${loud.score}`);
  const clipped = await assess(wav([tone(3, { amplitude: 4 }).map((x) => Math.max(-1, Math.min(1, x)))]), "wav");
  assert.match(clipped.explanation, /\d+(\.\d)?% of samples clipped/);
  assert.ok(clipped.score < loud.score);
});

test("a WAV whose data chunk is cut short is refused as corrupt, with what did decode", async () => {
  const whole = wav([tone(2)]);
  const cut = whole.subarray(0, 44 + 1.2 * RATE * 2);
  const result = await assess(cut, "wav");
  assert.deepEqual([result.accept, result.score, result.reason], [false, 0, Reason.Corrupt]);
  assert.match(
    result.explanation,
    /^refused as corrupt or unreadable: corrupt WAV: RIFF size \d+ runs past the file's \d+ bytes \(truncated\) \(1\.20 s of the 2\.00 s declared decoded\)\.$/,
  );
  assert.deepEqual([result.checks.decodedSeconds, result.checks.declaredSeconds], [1.2, 2]);
  // A consistent RIFF size but a data chunk that claims more than there is: the same.
  const lying = Uint8Array.from(cut);
  new DataView(lying.buffer).setUint32(4, lying.length - 8, true);
  assert.equal((await assess(lying, "wav")).reason, Reason.Corrupt);
});

test("float samples far beyond full scale are garbage, refused as corrupt", async () => {
  const garbage = tone(2).map((x, i) => (i % 100 === 0 ? 1e6 : x));
  const result = await assess(wav([garbage], "float32"), "wav");
  assert.equal(result.reason, Reason.Corrupt);
  assert.match(result.explanation, /^refused as corrupt or unreadable: 1% of samples decode far beyond full scale: not audio/);
  assert.equal((await assess(wav([tone(2).map((x, i) => (i === 5 ? Number.NaN : x))], "float32"), "wav")).accept, true); // one bad sample in 16,000 is tolerated
});

// ------------------------------------------------------------------ MP3

/**
 * 1.5 s of a 440 Hz sine at half scale, 8 kHz mono, 16 kbit/s MPEG-2.5 Layer III: 3,312 bytes,
 * encoded once with LAME (through the Python package lameenc) and kept here so no encoder is needed.
 */
const TONE_MP3 = Buffer.from(
  "/+MoxAAdOM6MAVgAAH/dty3Lct/3/h+Nxh/H8chyHcfyHIxG3/ctrbO3fn+Q21yAQqE1xPPT/8+5OKS9cOy+UOw7j+Rikw/OvT09OH6gQOLDHBM/icEMoCYfwfBA5EAJg/WD4IBiCAJg+fLg+CAIQQBMHz6w+CAY" +
    "lAGD+kEHZd/d0kbi0xgMFF5f/X//+YAA/+MoxA4fUeKIAZyYAGYKCoNBBg8Md3vH//zFZEMECE+8wjTZs0hofhVAOMHhcDnpLuAimAJMDk0DU0L5A2yBtb/8RyGWQyKMcKCELDki5f//FakOHOGWJkc0c0pEWIt/" +
    "//mJFSKmReLxiXS6kXjb/8ShIGhKEg6V///XYur//v//////6////++YAGAFGAXg/+MoxBMa0KokAd8AAEEYFuBPGA9gGBgKoGkYMqFqGHHhjRh4ZDEY3L+zGWVD9Ri3oV0YQSELGCNgPJgJIFKYGwA+mAvANZgG" +
    "wAYx7v7bv8d9OT+c//o2/7/Xp0fJfd/5X7v/93rq7/9S/1mgGLYGARgJQGAqAQoGBLgTwGB7ggAGCrAuoGEfhVAGKPENIHUU/+MoxCodgoIcAJ3EcPreBr2w06BiJoREBg4wGmCgLMDQBlAwEsBqAwEQBJAwCkA8" +
    "D1Ef////3//8ng3/9////v7+v1/+N9evTenbsz2+vXltO/Yv+9S3b5bOP/00v1F0DAIDADBCGsDBkJYAUMoGKABAGX8f4GwJRAGOdkVIH3vfy4HDfjgIGMpBTgGF5g0I/+MoxDcglDIUALXEmBg3gLEBgdAIUBgU" +
    "oGCBgLQDwBgFoDGGWUP6vV3//U/Zf2q5r5Tf/2+3+n8yenq37f8X/4N/J9vV/Br/vL6p6v3/C/J6fTT//fWD+irL/7fz4PhIBBMBFAEDAXgD0wGgCrMBLBPDAOAoUwEkgyMJw8BDBRxoQRBHZgFwIwYCyBKmAugF" +
    "/+MoxDcV6KYoAAw+JKDgNQoAkiIBRau///0/vr+n//du/q+T/9f06P9m6j//Tcl5+T//+6QEAEJgCYCoYB4BGmA/gTRgeIG4YLUCQmE9g+Bi3Awed5fYrm1HCW5iboLYYQsAumB6gKJgF4EaYAuBAGATAK5gCoCM" +
    "zjH//9f//v6fb5vBt87/6n05DZ8799eU/+MoxGIb+YIcAA/ETL0ZP7vX9enftX+upT/U6/8H//1ZMAAAEDAGwDMwDIBEMAnAEzAKAE4wMMEBMG0CUDEPR8c45bkXNQLGPzDvgj4wccFJMEYA9jAngKQwH8BrMBKA" +
    "PDAJQC9guH//6d//79v/28G32bv/Rs/3+p8pr+T9799f1fZ//V9Fz///nwGYwB4A/+MoxHUa6YIgAA/ETBzARQCowGYBPMCCAtTAhQTwwLgJ1MGNH9DM/ujwx0EZOMEsCIzASwQAwBkB1MBHABTAXgAEwEUAAAQC" +
    "a0Pv///+S+3//0/7vVq+nJ/d/69G7/+r6c//IX//3UFACMCgLBgDgEeYC+BHGBugVRgtgFmYUuCAGMFBfZ47qv+bgkEcmKWg/+MoxIwXQKooAAw+JDsYSMAXGCRgTJgL4FWYAIBHAQBfBICY3Df//6///f/3+/qN" +
    "9m/+rTp/z/q169OT+/dXu1ff1/3KW71Kzf/r///ZMACAAjAHwBkwDoAcDAH4CgOxgNII+YJAE4GF5kC5skXaWZxOM8mFTBJBgpYJ6YG4BsGBFAPxgPYCSYCYARGATgDL/+MoxLIaWYIcAA/ETDXn///v//9v//qN" +
    "8/u/r0af9nq0afp97v/Xp//3V0xB7/9///7ZgAYAAYBEAPmAmgJBgPADaYFYBpmBngrBgoQU2YWeQtGupejRmi404YSQEamBpgfhgDQCyYBmADGAuAE5gJIA0YBQAKs37//+n/////t8b7v/U72/531Oq0aNP37/" +
    "/+MoxMsZeYIkAA/ETOr7v/63+lVMQU1FNC4wVVVVVVVVVVXU//q/WcBMFoFA0ALCfAwhiMAxth8AzIAhA14htAxuoI2A+SNEOA4C4HoAxfsDjAwrIDOAwXMDzAwJ0DdAwEgCsAwA8BxAMAXBQy/////39f29SfoF" +
    "r0+/3//9/m9W/f/iv/t4PTsyO3Ob692X/+MoxOYaUYIkAA/ETNH6/1VKf6FMQU1FNC4wVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVy/////3ggAAMAdAAQwB4MBLAFjAMQIYwA0EhMCQCYDBtR9MzwzlZMh3GPTBl" +
    "giwwNMEhMCeAsjAcAFgwG0AnMBGACjAJQANoPP//////b/9/Qb7v/6NH+77vRp0//+MoxPAc8sIYALXElH7v5T7//6lMQU1FNC4wVVVVVVVVVVVVVVVVVcl/zf//1bMADADjAIADcwE8BqMCGAhzA1AOkwRsFgMH" +
    "QClTEHyDY4grwKNMjGejDcAh8wWEDeMB4AITADQEAwFABPMBFANDAJgCtg/f//0//+///t4Ib57/7qdH+f9bqtOnI/Obq/l9/+MoxOAY8YIoAA/ETDu6v9anelVMQU1F7f9Bv1l4AEGYGBIOQGBsUoGAsPgGMUEA" +
    "GZ4VQGys+4GPFDdQH8w5gwHGTC0AGNJhE4GGEAtgGDegp4GBtghYGBHAYwGAjgP4GAPAMwZeT//V2//U/SV9XqR8oHvX4X7/6/1X09Ppf/gv/B/D/J6t4I224/vrfG5T/+MoxOsbkYIgAA/ETEbev+9S3ehMQU1F" +
    "NC4wVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVc//v/PAuEwCGYCEAAmAtgGRgLIFAYBMCbggKAMCJILTFsO9cwzEaBMCiCPDAbwR8wHICiMBkAPDAbQAsMAlBYBTajz9v/u+nIfZ//R/876/9Gz7" +
    "/+MoxPsfwwoUALXElDf/T9//9apMQU1Fqqqqzv1+tD9RfAwBgkAwRBfAwriiAxRC5AyOEXAzMmAA1dKrAxjshWA8zbzcA3NMaIAxUQITAwjsC0AwPgAsAwBQCQAwD4CNAwEMBgAwCgBPD50v////361/V61eWPp9" +
    "f///O3v9///Ff+r+C+m1PguzP7q9+U07/+MoxNYWSKooAAw+JLq/vWt+6qpMQU1FNC4wqqqqqtb/+v9ZsBh2BgDQCIBgGIC+BgCgBgBgK4BqBggQHsBhEoSiBinQ+sB10PMYBsSgycBiTISaBhFAK4BgpYIuBgWo" +
    "GKBgQwEMBgJoCiBgEwB8IJJ//q7f/37/r9vBP/5Pv//7fT7//+N9b5fK6dnuZur3/+MoxPge0woYALXElGn7dn9ff6JMQU1FNC4wqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqu///zwF0DAI" +
    "RgIgA6YDGAjGA7gWBgNQJ+YD+FAGB+EEJkMfb6YlMM6mBVhGQEBDzAPAIYwFIAaHgMoMAkQwBOahz////I/f////P/f6fs+3/+MoxPQd8oIcAJ3EcP9Gjf//V9NMQU3U79frb9RmBgFICyBgX4IKBgVYCoBgjAKw" +
    "BhA4OiBgcoVIBjPxKUBlkiSgB9Q0PcB0jpp6BiWYZmBhBIGYBg6AIABgUgIwBgJAD+BgOYCmBgN4D6I7N0//r//9+v6/H8EL/9vt//6t7+rf/+n/o/gtFxLIfZvrx+nZ/+MoxNMVuKooAAw+JLur9blq+pX//3Xf" +
    "SBF/hgPIkEuYJgFBQEB//7sUSJbemCuAGYMQIRgqAAGEOBb5gJAVGkCZwYTAEiV5gYgtmc0l+YRIH5hdBaGFYHYZnJ4RkahY1eQUQXJMQYOeoAPOB8lgHVdgZ0SBrCQGlO/4sBPoDQL5oOw3AwYMDJBgMePBt8DC" +
    "/+MoxPwf0sIYAVcQAAADBhQwODan/mhEDc0JBM0KjmgNgYcWFnAbriJhjQL/iWh+gen/+VHNCo6Bo6Bo6AoUQgEdieRPAr4rotAz4rovBn//80dA86B50GoNFmjWH2LNGsSoyo6iNGVHUTIypAv//0GoNQazWa2T" +
    "I5pAi6OaQInRzSLE6QUixVIKRYqkFIkq/+MoxP8/i8JsAZ6gAIk1pr09KYzQLmTGgVwmvT0Rh2SJfIBntYEuqXtZdVeQBMa1Ias+RWXVPuCsKoCumDUTS5KYMCyqefVnNG7LXYdvVuyl/VgoBCcrTQnSISjlc0jp" +
    "pENQVKgrWdBU7KlQV4Ku1hr//////8t57lvPct57lvPctUxBTUU0LjBVVVVVVVVV/+MoxIMdKS5oAdgwAFVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV" +
    "VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV",
  "base64",
);

test("an MP3 tone is decoded in full and accepted", async () => {
  const result = await assess(new Uint8Array(TONE_MP3), "mp3");
  assert.equal(result.accept, true, result.explanation);
  assert.deepEqual([result.checks.sampleRate, result.checks.decodeErrors], [8000, 0]);
  // 23 frames of 576 samples: the encoder's padding makes 1.656 s of the 1.5 s tone.
  assert.ok(Math.abs((result.checks.decodedSeconds as number) - 1.656) < 1e-9);
  assert.equal(result.checks.declaredSeconds, result.checks.decodedSeconds);
  assert.ok(Math.abs((result.checks.rmsDbfs as number) - SINE_DBFS) < 1.5, `level ${result.checks.rmsDbfs}`);
});

test("MP3 that is cut, garbage in valid frames, or no MPEG at all is refused without throwing", async () => {
  const cut = await assess(new Uint8Array(TONE_MP3.subarray(0, 1700)), "mp3");
  assert.equal(cut.reason, Reason.Corrupt);
  assert.match(
    cut.explanation,
    /^refused as corrupt or unreadable: corrupt MP3: the frame at byte \d+ is cut short \(\d\.\d\d s decoded\)\.$/,
  );
  // MPEG-1 Layer III frame headers (128 kbit/s, 44.1 kHz) over random bytes: the sniffer's frame walk
  // passes, and mpg123 decodes the noise to samples far beyond full scale.
  const random = seededRandom(17);
  const frames = Uint8Array.from(
    Array.from({ length: 60 }, () => [0xff, 0xfb, 0x90, 0x00, ...Array.from({ length: 413 }, () => Math.floor(random() * 256))]).flat(),
  );
  const garbage = await assess(frames, "mp3");
  assert.deepEqual([garbage.accept, garbage.reason], [false, Reason.Corrupt], garbage.explanation);
  // The same frames all zero decode cleanly: to silence.
  const zeros = Uint8Array.from(Array.from({ length: 60 }, () => [0xff, 0xfb, 0x90, 0x00, ...new Array(413).fill(0)]).flat());
  assert.match((await assess(zeros, "mp3")).explanation, /silence/);
  const id3 = Uint8Array.from([
    ...Buffer.from("ID3"),
    4,
    0,
    0,
    0,
    0,
    0,
    10,
    ...new Array(10).fill(0),
    ...Array.from({ length: 3000 }, () => Math.floor(random() * 256)),
  ]);
  assert.equal((await assess(id3, "mp3")).reason, Reason.Corrupt);
  assert.equal((await assess(wav([tone(2)]), "mp3")).reason, Reason.WrongType);
});

// ------------------------------------------------------------------ FLAC

test("a FLAC tone is decoded in full and accepted; FLAC silence is refused", async () => {
  const samples = tone(2);
  const result = await assess(flacFile([samples, samples]), "flac");
  assert.equal(result.accept, true, result.explanation);
  assert.deepEqual(
    [result.checks.decodedSeconds, result.checks.declaredSeconds, result.checks.channels, result.checks.decodeErrors],
    [2, 2, 2, 0],
  );
  assert.ok(Math.abs((result.checks.rmsDbfs as number) - SINE_DBFS) < 0.01);
  const silence = await assess(flacFile([new Float32Array(2 * RATE)]), "flac");
  assert.deepEqual([silence.accept, silence.reason], [false, Reason.LowQuality]);
});

test("a truncated or damaged FLAC is refused as corrupt", async () => {
  const whole = flacFile([tone(2)]);
  const cut = await assess(whole.subarray(0, whole.length >> 1), "flac");
  assert.deepEqual([cut.accept, cut.reason], [false, Reason.Corrupt]);
  assert.match(
    cut.explanation,
    /^refused as corrupt or unreadable: corrupt FLAC: the frame at byte \d+ does not end with a matching CRC-16: the stream is cut or damaged, or has data after it \(0\.\d\d s decoded\)/,
  );
  // Frames damaged in the middle fail their checksums: decoded with errors, and short of the declared length.
  const damaged = Uint8Array.from(whole);
  for (let at = 3000; at < whole.length - 3000; at += 50) damaged[at] = damaged[at]! ^ 0x5a;
  const result = await assess(damaged, "flac");
  assert.equal(result.reason, Reason.Corrupt, result.explanation);
  // Garbage after a valid-looking header.
  const random = seededRandom(23);
  const garbage = Uint8Array.from([
    ...whole.subarray(0, 42),
    0xff,
    0xf8,
    ...Array.from({ length: 4000 }, () => Math.floor(random() * 256)),
  ]);
  assert.equal((await assess(garbage, "flac")).reason, Reason.Corrupt);
});

test("assess never throws on damaged or arbitrary audio", async () => {
  const random = seededRandom(29);
  const sources = { wav: wav([tone(1.2)]), flac: flacFile([tone(1.2)]), mp3: new Uint8Array(TONE_MP3) };
  for (const [type, bytes] of Object.entries(sources) as ["wav" | "flac" | "mp3", Uint8Array][]) {
    for (let i = 0; i < 25; i++) {
      const copy = Uint8Array.from(bytes);
      for (let flips = 0; flips < 3; flips++) copy[Math.floor(random() * Math.min(copy.length, 200))] = Math.floor(random() * 256);
      const result = await assess(copy.subarray(0, copy.length - i * 11), type);
      assert.ok([1, 2, 3, 6].includes(result.reason), `${type}: ${result.explanation}`);
      const arbitrary = await assess(
        Uint8Array.from({ length: i * 40 }, () => Math.floor(random() * 256)),
        type,
      );
      assert.ok(!arbitrary.accept && [2, 3].includes(arbitrary.reason), `${type}: ${arbitrary.explanation}`);
    }
  }
});
