/**
 * The sniffer corpus (test/fixtures/corpus.ts): every valid, truncated, renamed, polyglot, bomb and
 * edge-case file gets exactly its expected answer from sniffFile, never an exception; the corpus is
 * deterministic, its names unique, and it covers every file type and every kind of bad input.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { extname } from "node:path";
import sharp from "sharp";
import { FLACDecoder } from "@wasm-audio-decoders/flac";
import { MPEGDecoder } from "mpg123-decoder";
import { FILE_TYPES, fileTypeByName, type FileTypeName } from "@provena/common";
import { sniffFile } from "@provena/content";
import { corpus, KNOWN_GAPS, OVERSIZE_BYTES, type Case, type Expect } from "../fixtures/corpus.js";

const CASES = corpus();
const byName = new Map(CASES.map((c) => [c.name, c]));
const named = (name: string): Case => {
  const found = byName.get(name);
  assert.ok(found, `the corpus has a case named ${name}`);
  return found;
};
const describe = (expect: Expect) => (expect.ok ? `ok ${expect.type}` : expect.error);
const TYPES = FILE_TYPES.map((t) => t.name) as FileTypeName[];

for (const c of CASES) {
  test(`${c.name} (${c.filename}, ${c.bytes.length} bytes): ${describe(c.expect)}`, { todo: KNOWN_GAPS[c.name] }, () => {
    let sniffed: ReturnType<typeof sniffFile> | undefined;
    assert.doesNotThrow(() => (sniffed = sniffFile(c.bytes)));
    const result = sniffed!;
    const got: Expect = result.ok ? { ok: true, type: result.type } : { ok: false, error: result.error };
    assert.deepEqual(got, c.expect, `${c.note}\nthe sniffer said: ${result.ok ? JSON.stringify(result.details) : result.message}`);
  });
}

test("every known gap names a case of the corpus", () => {
  for (const name of Object.keys(KNOWN_GAPS)) named(name);
});

test("the corpus is deterministic: two calls give the same cases, byte for byte, and never use Math.random or the clock", () => {
  const digest = (cases: Case[]) =>
    cases.map(({ bytes, ...rest }) => ({ ...rest, sha256: createHash("sha256").update(bytes).digest("hex") }));
  const [random, now] = [Math.random, Date.now];
  Math.random = () => assert.fail("corpus() called Math.random");
  Date.now = () => assert.fail("corpus() called Date.now");
  let again: Case[];
  try {
    again = corpus();
  } finally {
    [Math.random, Date.now] = [random, now];
  }
  assert.deepEqual(digest(again), digest(CASES));
});

test("names are unique and usable as folder names; filenames are plain names", () => {
  assert.equal(byName.size, CASES.length, "duplicate case names");
  for (const { name, filename } of CASES) {
    assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/, name);
    assert.match(filename, /^[\w.-]+\.\w+$/, `${name}: ${filename}`);
  }
});

test("every type has a valid file, named for its type, and a truncated or corrupt one that is refused", () => {
  for (const type of TYPES) {
    const valid = named(`${type}-valid`);
    assert.deepEqual(valid.expect, { ok: true, type });
    assert.ok(
      (fileTypeByName(type).extensions as readonly string[]).includes(extname(valid.filename)),
      `${valid.filename} has a ${type} extension`,
    );
    const broken = named(`${type}-truncated`);
    assert.equal(broken.expect.ok, false);
    assert.ok(
      broken.bytes.length < valid.bytes.length && Buffer.from(valid.bytes.subarray(0, broken.bytes.length)).equals(broken.bytes),
      `${type}-truncated is a prefix of ${type}-valid`,
    );
  }
});

test("renamed files are typed by their content, whatever their name says", () => {
  const renamed = CASES.filter(
    (c) => c.expect.ok && !(fileTypeByName(c.expect.type).extensions as readonly string[]).includes(extname(c.filename)),
  );
  for (const name of ["png-named-mp3", "wav-named-txt"])
    assert.ok(
      renamed.some((c) => c.name === name),
      name,
    );
  assert.equal(named("png-named-mp3").filename, "song.mp3");
  assert.deepEqual(named("png-named-mp3").expect, { ok: true, type: "png" });
  assert.equal(named("wav-named-txt").filename, "notes.txt");
  assert.deepEqual(named("wav-named-txt").expect, { ok: true, type: "wav" });
});

test("the issue's list is covered: polyglots, bombs, a PDF with an image, invalid UTF-8, empty and oversize files", () => {
  const refusedAs = (error: string) => CASES.filter((c) => !c.expect.ok && c.expect.error === error).map((c) => c.name);
  for (const name of ["png-zip-in-chunk", "jpeg-zip-gifar"]) assert.ok(refusedAs("polyglot").includes(name), name);
  // A ZIP after a PDF's %%EOF is data after its end: refused by the trailing-data rule first.
  assert.ok(refusedAs("corrupt").includes("pdf-zip"), "pdf-zip");

  const png = named("png-bomb");
  const ihdr = new DataView(png.bytes.buffer, png.bytes.byteOffset + 16, 8);
  assert.deepEqual([ihdr.getUint32(0), ihdr.getUint32(4)], [100_000, 100_000]);
  assert.deepEqual(png.expect, { ok: false, error: "too_many_pixels" });

  const docx = named("docx-zip-bomb");
  assert.deepEqual(docx.expect, { ok: false, error: "zip_bomb" });
  assert.ok(docx.bytes.length < 100_000, "the zip bomb stays small on disk");
  const sniffed = sniffFile(docx.bytes);
  assert.match(sniffed.ok ? "" : sniffed.message, /compresses \d+:1, over the limit of 200:1/);

  assert.deepEqual(named("pdf-image-xobject").expect, { ok: false, error: "has_images" });
  assert.ok(refusedAs("not_utf8").includes("txt-latin1"));
  assert.equal(named("empty").bytes.length, 0);
  const oversize = named("oversize-text");
  assert.equal(OVERSIZE_BYTES, 5 * 1048576 + 1);
  assert.equal(oversize.bytes.length, OVERSIZE_BYTES);
  assert.deepEqual(oversize.expect, { ok: true, type: "txt" });
  assert.match(oversize.note, /gateway/);
});

test("the valid images and audio decode in real decoders, at the size the sniffer reads", async () => {
  for (const type of ["png", "jpeg", "webp", "tiff"] as const) {
    const { bytes } = named(`${type}-valid`);
    const sniffed = sniffFile(bytes);
    assert.ok(sniffed.ok);
    const { info } = await sharp(bytes, { failOn: "warning" }).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [sniffed.details.width, sniffed.details.height], type);
  }
  const mp3 = new MPEGDecoder();
  try {
    await mp3.ready;
    const decoded = mp3.decode(named("mp3-valid").bytes);
    assert.deepEqual([decoded.samplesDecoded, decoded.sampleRate, decoded.errors.length], [24 * 1152, 44100, 0]);
  } finally {
    mp3.free();
  }
  const flac = new FLACDecoder();
  try {
    await flac.ready;
    const decoded = await flac.decodeFile(named("flac-valid").bytes);
    assert.deepEqual([decoded.samplesDecoded, decoded.sampleRate, decoded.errors.length], [8192, 8000, 0]);
  } finally {
    flac.free();
  }
});
