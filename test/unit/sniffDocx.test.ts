/**
 * DOCX sniffing: the ZIP's directory checked before inflating (bombs refused), the Word main part
 * found through [Content_Types].xml and read under its declared size.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { crc32, deflateRawSync } from "node:zlib";
import { sniffDocx } from "@provena/content";

const u16 = (n: number) => [n & 255, (n >>> 8) & 255];
const u32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

type ZipEntry = { name: string; content: Uint8Array; declaredSize?: number };

/** A minimal ZIP writer (deflate), so each test states exactly what the archive holds or claims. */
function zip(entries: ZipEntry[]): Uint8Array {
  const local: number[] = [];
  const central: number[] = [];
  for (const { name, content, declaredSize } of entries) {
    const body = deflateRawSync(content);
    const header = [
      ...u16(20),
      ...u16(0),
      ...u16(8),
      ...u16(0),
      ...u16(0),
      ...u32(crc32(content)),
      ...u32(body.length),
      ...u32(declaredSize ?? content.length),
      ...u16(name.length),
    ];
    central.push(
      ...u32(0x02014b50),
      ...u16(20),
      ...header,
      ...u16(0),
      ...u16(0),
      ...u16(0),
      ...u16(0),
      ...u32(0),
      ...u32(local.length),
      ...Buffer.from(name),
    );
    local.push(...u32(0x04034b50), ...header, ...u16(0), ...Buffer.from(name), ...body);
  }
  const end = [
    ...u32(0x06054b50),
    ...u16(0),
    ...u16(0),
    ...u16(entries.length),
    ...u16(entries.length),
    ...u32(central.length),
    ...u32(local.length),
    ...u16(0),
  ];
  return Uint8Array.from([...local, ...central, ...end]);
}

const text = (s: string) => new TextEncoder().encode(s);
const CONTENT_TYPES = text(
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
);
const DOCUMENT = text(
  '<?xml version="1.0"?><w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Tide tables &amp; notes</w:t></w:r></w:p></w:body></w:document>',
);
const docx = (extra: ZipEntry[] = []) =>
  zip([{ name: "[Content_Types].xml", content: CONTENT_TYPES }, { name: "word/document.xml", content: DOCUMENT }, ...extra]);

test("a Word document is found through its content types and read for its text", () => {
  const sniff = sniffDocx(docx());
  assert.deepEqual(sniff.ok ? [sniff.type, sniff.code, sniff.characters, sniff.parts] : sniff, [
    "docx",
    0x04,
    "Tide tables & notes".length,
    2,
  ]);
});

test("zip bombs are refused from the directory, before anything is inflated", () => {
  const zeros = new Uint8Array(10_000_000);
  const dense = sniffDocx(docx([{ name: "word/media/zeros.bin", content: zeros }]));
  assert.deepEqual(dense.ok ? undefined : dense.error, "zip_bomb");
  assert.match(dense.ok ? "" : dense.message, /"word\/media\/zeros.bin" compresses \d+:1, over the limit of 200:1/);
  const large = sniffDocx(docx(), { maxEntries: 1_000, maxUncompressedBytes: 100, maxRatio: 200 });
  assert.match(large.ok ? "" : large.message, /declares \d+ bytes uncompressed, over the limit of 100/);
  const many = sniffDocx(docx(), { maxEntries: 1, maxUncompressedBytes: 1e9, maxRatio: 200 });
  assert.match(many.ok ? "" : many.message, /2 entries, over the limit of 1/);
});

test("a part that inflates past its declared size is corrupt", () => {
  const lying = zip([
    { name: "[Content_Types].xml", content: CONTENT_TYPES },
    { name: "word/document.xml", content: DOCUMENT, declaredSize: 40 },
  ]);
  const sniff = sniffDocx(lying);
  assert.deepEqual(sniff.ok ? undefined : sniff.error, "corrupt");
  assert.match(sniff.ok ? "" : sniff.message, /"word\/document.xml" does not inflate/);
});

test("not a ZIP, a ZIP that is not Word, and a truncated archive are told apart", () => {
  const cases: [Uint8Array, string, RegExp][] = [
    [text("plain text, not a zip"), "not_docx", /not a ZIP archive/],
    [zip([{ name: "readme.txt", content: text("hello") }]), "not_docx", /without \[Content_Types\].xml/],
    [zip([{ name: "[Content_Types].xml", content: text("<Types/>") }]), "not_docx", /without a Word main document part/],
    [docx().subarray(0, 200), "corrupt", /no end of central directory record/],
  ];
  for (const [bytes, error, message] of cases) {
    const sniff = sniffDocx(bytes);
    assert.deepEqual(sniff.ok ? undefined : sniff.error, error);
    assert.match(sniff.ok ? "" : sniff.message, message);
  }
});

test("random bytes and randomly damaged archives never throw", () => {
  for (let i = 0; i < 2000; i++) sniffDocx(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...randomBytes(i % 300)]));
  const valid = docx();
  for (let i = 0; i < 3000; i++) {
    const damaged = Uint8Array.from(valid);
    for (let flips = 0; flips < 3; flips++) damaged[(i * 31 + flips * 97) % damaged.length] = randomBytes(1)[0]!;
    assert.equal(typeof sniffDocx(damaged.subarray(0, damaged.length - (i % 40))).ok, "boolean");
  }
});

test("a part whose bytes were altered without changing its size fails its CRC-32", () => {
  const good = docx();
  const body = deflateRawSync(DOCUMENT);
  // Find the main part's deflated body in the archive and flip a bit in the middle of it, until a flip is
  // found that still inflates to the declared size (so only the CRC can tell).
  const at = Buffer.from(good).indexOf(Buffer.from(body));
  assert.ok(at > 0);
  let refused: string | undefined;
  for (let offset = 4; offset < body.length - 4 && !refused; offset++) {
    for (const bit of [0x01, 0x10, 0x80]) {
      const damaged = Uint8Array.from(good);
      damaged[at + offset] = damaged[at + offset]! ^ bit;
      const sniff = sniffDocx(damaged);
      if (!sniff.ok && /CRC-32/.test(sniff.message)) {
        refused = sniff.message;
        break;
      }
      assert.equal(sniff.ok, false, `a flip at ${offset} was accepted`);
    }
  }
  assert.match(
    refused ?? "",
    /^corrupt DOCX: "word\/document\.xml" fails its CRC-32 check \(0x[0-9a-f]{8}, not the recorded 0x[0-9a-f]{8}\)/,
  );
});

test("nothing may follow the archive's end record (and its comment)", () => {
  const whole = docx();
  for (const appended of [Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), new Uint8Array(64)]) {
    const sniff = sniffDocx(Uint8Array.from([...whole, ...appended]));
    assert.deepEqual(sniff.ok ? "ok" : [sniff.error, sniff.message], [
      "corrupt",
      `corrupt DOCX: ${appended.length} bytes of data after the end of the ZIP archive (something was appended to it)`,
    ]);
  }
  // A comment the end record declares is part of the archive.
  const comment = Buffer.from("written by a test");
  const commented = Uint8Array.from([...whole.subarray(0, whole.length - 2), ...u16(comment.length), ...comment]);
  assert.equal(sniffDocx(commented).ok, true);
});
