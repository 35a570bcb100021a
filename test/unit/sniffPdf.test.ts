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

/** A small PDF whose page content is `content` (Flate-compressed when `compress`), plus `extra` objects. */
function pdf(content: string, { compress = true, extra = [] as Uint8Array[], trailer = "" } = {}) {
  const data = compress ? deflateSync(bytes(content)) : bytes(content);
  return concat(
    bytes("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    bytes("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"),
    bytes("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"),
    bytes("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n"),
    bytes(`4 0 obj\n<< /Length ${data.length}${compress ? " /Filter /FlateDecode" : ""} >>\nstream\n`),
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
