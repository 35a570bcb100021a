/**
 * PDF sniffing: text-only documents pass; images in any form (XObject, inline, image codec, inside a
 * compressed object stream) are found and refused; truncated, encrypted and textless PDFs are refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import { sniffPdf } from "@provena/content";

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/**
 * A small PDF whose page content is `content` (Flate-compressed when `compress`, or encoded by `encoded`
 * under its filter chain), plus `extra` objects.
 */
function pdf(
  content: string,
  {
    compress = true,
    extra = [] as Uint8Array[],
    trailer = "",
    encoded = undefined as { filter: string; data: Uint8Array } | undefined,
  } = {},
) {
  const data = encoded?.data ?? (compress ? deflateSync(bytes(content)) : bytes(content));
  const filter = encoded ? ` /Filter ${encoded.filter}` : compress ? " /Filter /FlateDecode" : "";
  return concat(
    bytes("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    bytes("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"),
    bytes("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"),
    bytes("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n"),
    bytes(`4 0 obj\n<< /Length ${data.length}${filter} >>\nstream\n`),
    data,
    bytes("\nendstream\nendobj\n"),
    ...extra,
    bytes(`xref\n0 5\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R ${trailer}>>\nstartxref\n123\n%%EOF\n`),
  );
}

const TEXT = "BT /F1 12 Tf 72 712 Td (Field notes, day 1) Tj [(Kerned) -20 (text)] TJ ET";
const sniffError = (input: Uint8Array) => {
  const sniff = sniffPdf(input);
  return sniff.ok ? "ok" : `${sniff.error}: ${sniff.message}`;
};

test("a text PDF passes, compressed or not, with its text operators counted", () => {
  for (const compress of [true, false]) {
    const sniff = sniffPdf(pdf(TEXT, { compress }));
    assert.deepEqual(sniff.ok ? [sniff.type, sniff.code, sniff.version, sniff.textOperators] : sniff, ["pdf", 0x03, "1.7", 2]);
  }
});

/** ASCII85 as reportlab writes it: groups of five, `z` for zeros, `~>` at the end. */
function ascii85(data: Uint8Array): Uint8Array {
  let out = "";
  for (let at = 0; at < data.length; at += 4) {
    const group = data.subarray(at, at + 4);
    const padded = Uint8Array.from([...group, 0, 0, 0].slice(0, 4));
    let value = new DataView(padded.buffer).getUint32(0);
    if (value === 0 && group.length === 4) {
      out += "z";
      continue;
    }
    const digits: string[] = [];
    for (let i = 0; i < 5; i++) {
      digits.unshift(String.fromCharCode(33 + (value % 85)));
      value = Math.floor(value / 85);
    }
    out += digits.slice(0, group.length + 1).join("");
  }
  return bytes(`${out}~>`);
}
const asciiHex = (data: Uint8Array) =>
  bytes(
    `${Buffer.from(data)
      .toString("hex")
      .replace(/(.{60})/g, "$1\n")}>`,
  );
/** RunLength with literal runs only (a length byte n, then n + 1 bytes), then the end marker. */
function runLength(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let at = 0; at < data.length; at += 128) {
    const run = data.subarray(at, at + 128);
    out.push(run.length - 1, ...run);
  }
  return Uint8Array.from([...out, 128]);
}

test("streams are read through their filter chains, in order, as producers write them", () => {
  const content = bytes(TEXT);
  const chains: [string, Uint8Array][] = [
    ["[/ASCII85Decode /FlateDecode]", ascii85(deflateSync(content))], // reportlab's default
    ["[/A85 /Fl]", ascii85(deflateSync(content))],
    ["/ASCIIHexDecode", asciiHex(content)],
    ["[/AHx /FlateDecode]", asciiHex(deflateSync(content))],
    ["/RunLengthDecode", runLength(content)],
    ["[/FlateDecode /ASCII85Decode]", deflateSync(ascii85(content))],
  ];
  for (const [filter, data] of chains) {
    const sniff = sniffPdf(pdf(TEXT, { encoded: { filter, data } }));
    assert.deepEqual(sniff.ok ? sniff.textOperators : sniffError(pdf(TEXT, { encoded: { filter, data } })), 2, filter);
  }
  const damaged = ascii85(deflateSync(content));
  damaged[5] = 0x7b; // "{", outside ASCII85's alphabet
  assert.match(sniffError(pdf(TEXT, { encoded: { filter: "[/ASCII85Decode /FlateDecode]", data: damaged } })), /^corrupt: .*ASCII85/);
  const flipped = ascii85(Uint8Array.from(deflateSync(content), (b, i) => (i === 10 ? b ^ 0xff : b)));
  assert.match(sniffError(pdf(TEXT, { encoded: { filter: "[/ASCII85Decode /FlateDecode]", data: flipped } })), /^corrupt: /);
  assert.match(sniffError(pdf(TEXT, { encoded: { filter: "/LZWDecode", data: content } })), /^unsupported: .*LZWDecode/);
});

test("nothing but line ends and blanks may follow the last %%EOF", () => {
  const whole = pdf(TEXT);
  assert.equal(sniffError(concat(whole, bytes("\r\n  \n"))), "ok");
  assert.equal(sniffError(whole.subarray(0, whole.length - 1)), "ok", "no line end after %%EOF");
  for (const appended of [bytes("\xff\xd8\xff\xe0 JPEG"), new Uint8Array(16), bytes("junk")])
    assert.match(sniffError(concat(whole, appended)), /^corrupt: corrupt PDF: data after its last %%EOF/);
  // An incremental update ends with its own %%EOF: fine.
  assert.equal(
    sniffError(
      concat(whole, bytes("4 0 obj\n<< >>\nendobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 5 >>\nstartxref\n456\n%%EOF\n")),
    ),
    "ok",
  );
});

test("images are found in every form and refused", () => {
  const imageXObject = bytes(
    "5 0 obj\n<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /Length 3 >>\nstream\nabc\nendstream\nendobj\n",
  );
  assert.match(sniffError(pdf(TEXT, { extra: [imageXObject] })), /^has_images: contains an image XObject/);
  const jpegStream = bytes("5 0 obj\n<< /Length 4 /Filter /DCTDecode >>\nstream\n\xff\xd8\xff\xe0\nendstream\nendobj\n");
  assert.match(sniffError(pdf(TEXT, { extra: [jpegStream] })), /^has_images: contains a DCTDecode stream/);
  assert.match(sniffError(pdf(`${TEXT} q BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q`)), /^has_images: contains an inline image/);
  const hidden = deflateSync(bytes("6 0 << /Type /XObject /Subtype /Image /Width 8 /Height 8 >>"));
  const objectStream = concat(
    bytes(`5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length ${hidden.length} /Filter /FlateDecode >>\nstream\n`),
    hidden,
    bytes("\nendstream\nendobj\n"),
  );
  assert.match(sniffError(pdf(TEXT, { extra: [objectStream] })), /^has_images: contains an image XObject \(in an object stream\)/);
});

test("truncated, encrypted, textless and non-PDF input are refused with the reason", () => {
  const whole = pdf(TEXT);
  assert.match(sniffError(whole.subarray(0, whole.length - 40)), /^corrupt: corrupt PDF: no %%EOF marker/);
  assert.match(sniffError(pdf(TEXT, { trailer: "/Encrypt 9 0 R " })), /^encrypted:/);
  assert.match(sniffError(pdf("0 0 m 100 100 l S")), /^no_text: shows no text/);
  assert.match(sniffError(bytes("%!PS-Adobe-3.0\n")), /^not_pdf:/);
  const broken = pdf(TEXT);
  broken.set(bytes("XXXX"), 300); // inside the compressed content stream
  assert.match(sniffError(broken), /^(corrupt|no_text):/);
});

test("a stream that inflates past the budget is refused as too large", () => {
  const sniff = sniffPdf(pdf(TEXT + " ".repeat(10_000)), { maxInflatedBytes: 1_000 });
  assert.deepEqual(sniff.ok ? undefined : sniff.error, "too_large");
});

test("random bytes and randomly damaged documents never throw", () => {
  for (let i = 0; i < 2000; i++) sniffPdf(concat(bytes("%PDF-1.4\n"), randomBytes(i % 400)));
  const valid = pdf(TEXT);
  for (let i = 0; i < 3000; i++) {
    const damaged = Uint8Array.from(valid);
    for (let flips = 0; flips < 3; flips++) damaged[(i * 31 + flips * 97) % damaged.length] = randomBytes(1)[0]!;
    assert.equal(typeof sniffPdf(damaged.subarray(0, damaged.length - (i % 60))).ok, "boolean");
  }
});
