/**
 * `@provena/content`: what Provena knows about files, and nothing else (no database, HTTP or chain).
 * Sniffing decides a file's type from its bytes; extraction gives a text file's words; decoding gives
 * audio samples and BMP pixels; fingerprints (MinHash of words, perceptual hash of pixels) find
 * near-duplicates. Pure functions over bytes, each with its own result type; none throws on bad input.
 */
export { type AudioSniff, type AudioTypeName, sniffAudio } from "./sniff/audio.js";
export { DEFAULT_DOCX_LIMITS, type DocxLimits, type DocxSniff, docxText, sniffDocx } from "./sniff/docx.js";
export { DEFAULT_IMAGE_LIMITS, type ImageLimits, type ImageSniff, type ImageTypeName, sniffImage } from "./sniff/image.js";
export { DEFAULT_SNIFF_LIMITS, type SniffDetails, type Sniffed, type SniffLimits, sniffFile } from "./sniff/index.js";
export { DEFAULT_PDF_LIMITS, type PdfLimits, type PdfSniff, sniffPdf } from "./sniff/pdf.js";
export { looksLikeMarkdown, sniffText, type TextSniff } from "./sniff/text.js";
export { extractText, isTextType, type TextExtraction, type TextType, textOf } from "./text/index.js";
export { pdfText } from "./text/pdf.js";
export { type Decode, type DecodedAudio, decodeAudio, decodeFlac, decodeMp3, decodeWav } from "./decode/audio.js";
export { decodeBmp, type RawImage } from "./decode/bmp.js";
export { type Closeness, compareFingerprints, type Fingerprint, fingerprintOf, type NearThresholds } from "./fingerprint/index.js";
export { bandKeys, DEFAULT_MINHASH, type MinHashOptions, minhash, shingles, similarity, words } from "./fingerprint/minhash.js";
export { hammingDistance, hashHex, hashThumbnail, perceptualHash } from "./fingerprint/phash.js";
