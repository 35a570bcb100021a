/**
 * The file-type decision as the gateway makes it: content only, one parser per signature, polyglots refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { sniffFile } from "@provena/content";

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const MP3_FRAME = [0xff, 0xfb, 0x90, 0x00, ...new Array(413).fill(0)];

test("each modality's files are typed from their content, with what the parser learnt", () => {
  const text = sniffFile(bytes("Observations from the delta, spring survey.\n"));
  assert.deepEqual(text.ok ? [text.type, text.modality, text.details.lines] : text, ["txt", "text", 2]);
  const audio = sniffFile(Uint8Array.from([...MP3_FRAME, ...MP3_FRAME]));
  assert.deepEqual(audio.ok ? [audio.type, audio.modality, audio.details.sampleRate] : audio, ["mp3", "audio", 44100]);
});

test("a name proves nothing: unknown binary is refused, a ZIP that is not Word is refused as such", () => {
  const unknown = sniffFile(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])); // WebAssembly
  assert.deepEqual(unknown.ok ? undefined : unknown.error, "unknown_type");
  const zipOnly = sniffFile(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Array(40).fill(0)]));
  assert.equal(zipOnly.ok, false);
  const plain = sniffFile(bytes("Plain words that start with a capital P."));
  assert.deepEqual(plain.ok ? plain.type : plain, "txt");
});

test("a file that is also a second format is refused as a polyglot", () => {
  const mp3WithZip = Uint8Array.from([...MP3_FRAME, ...MP3_FRAME]);
  const zipEnd = [0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)];
  // MP3 frames must tile the file, so hide the ZIP end record inside the last frame's body.
  mp3WithZip.set(zipEnd, mp3WithZip.length - zipEnd.length);
  const sniff = sniffFile(mp3WithZip);
  assert.deepEqual(sniff.ok ? undefined : [sniff.error, sniff.message], [
    "polyglot",
    "the file parses as MP3 but is also a ZIP archive: refused as a polyglot",
  ]);
  // The four signature bytes alone, as they turn up by chance in compressed data, point to no directory: not a ZIP.
  const chance = Uint8Array.from([...MP3_FRAME, ...MP3_FRAME]);
  chance.set([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 3, 0, 3, 0, 200, 0, 0, 0, 10, 0, 0, 0, 0, 0], chance.length - 22);
  assert.deepEqual(sniffFile(chance).ok, true);
  // PDF readers look for the header anywhere in the first 1,024 bytes, so text can smuggle a PDF.
  const textPdf = sniffFile(bytes("A note.\n%PDF-1.4 follows this line.\nIt ends like a PDF: %%EOF\n"));
  assert.deepEqual(textPdf.ok ? undefined : textPdf.error, "polyglot");
  const pdfLike = sniffFile(bytes("%PDF-1.4 at byte 0 makes it a PDF, and a broken one\n"));
  assert.deepEqual(pdfLike.ok ? undefined : pdfLike.error, "corrupt");
});

test("random bytes never throw", () => {
  for (let i = 0; i < 3000; i++) assert.equal(typeof sniffFile(randomBytes(i % 700)).ok, "boolean");
});

test("UTF-16 text, with or without a byte order mark, is told apart from binary: save it as UTF-8", () => {
  const english = "The river town of Ashford grew up around a single stone bridge.\n";
  const chinese = "这座小城坐落在两条河流的交汇处，自古以来就是南北货物往来的必经之地。\n";
  const be = (text: string) => Buffer.from(text, "utf16le").swap16();
  const cases: [Uint8Array, string][] = [
    [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(english, "utf16le")]), "little-endian"],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), be(english)]), "big-endian"],
    [Buffer.from(english, "utf16le"), "little-endian"],
    [be(chinese), "big-endian"],
  ];
  for (const [bytes, order] of cases) {
    const sniffed = sniffFile(bytes);
    assert.deepEqual(sniffed.ok ? sniffed : [sniffed.error, sniffed.message], [
      "not_utf8",
      `UTF-16 (${order}) text, not UTF-8: save it as UTF-8`,
    ]);
  }
  // Binary stays binary.
  const binary = Uint8Array.from({ length: 4_096 }, (_, i) => (i * 7919) % 251);
  assert.equal(sniffFile(binary).ok ? "ok" : (sniffFile(binary) as { error: string }).error, "unknown_type");
});
