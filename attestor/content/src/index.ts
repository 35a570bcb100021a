/**
 * `@provena/content`: what Provena knows about files, and nothing else (no database, HTTP or chain).
 * Sniffing decides a file's type from its bytes; extraction gives a text file's words; decoding gives
 * audio samples and BMP pixels; fingerprints (MinHash of words, perceptual hash of pixels) find
 * near-duplicates. Pure functions over bytes, each with its own result type; none throws on bad input.
 */
export { type AudioSniff, type AudioTypeName, sniffAudio } from "./sniff/audio.js";
export { type DocxLimits, type DocxSniff, sniffDocx } from "./sniff/docx.js";
export { type ImageLimits, type ImageSniff, type ImageTypeName, sniffImage } from "./sniff/image.js";
export { type SniffDetails, type Sniffed, type SniffLimits, sniffFile } from "./sniff/index.js";
export { type PdfLimits, type PdfSniff, sniffPdf } from "./sniff/pdf.js";
export { sniffText, type TextSniff } from "./sniff/text.js";
export { extractText, type TextExtraction, type TextType, textOf } from "./text/index.js";
export { DEFAULT_PDF_TEXT_LIMITS, type PdfText, type PdfTextLimits, pdfText } from "./text/pdf.js";
export { type Decode, type DecodedAudio, decodeAudio, decodeWav } from "./decode/audio.js";
export { type BmpDecode, type BmpLayout, bmpLayout, decodeBmp, type RawImage } from "./decode/bmp.js";
export { decodeStrictly, type ImageFailure, type OpenedImage, openImage } from "./decode/image.js";
export { type Closeness, compareFingerprints, type Fingerprint, fingerprintOf, type NearThresholds } from "./fingerprint/index.js";
export { bandKeys, minhash, shingles, similarity, words } from "./fingerprint/minhash.js";
export { hammingDistance, hashHex, hashThumbnail, perceptualHash } from "./fingerprint/phash.js";
export { fastTextFingerprinter } from "./fingerprint/wasmFingerprint.js";
