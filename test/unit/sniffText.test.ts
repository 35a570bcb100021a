/**
 * Text sniffing from content: strict UTF-8, no binary controls, Markdown told from plain text by its syntax.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { sniffText } from "@provena/content";

const utf8 = (text: string) => new TextEncoder().encode(text);

test("plain text and Markdown are told apart by their content", () => {
  const plain = sniffText(utf8("A field note.\nThe river rose two metres overnight — ça déborde.\n"));
  assert.deepEqual(plain.ok ? [plain.type, plain.code, plain.lines] : plain, ["txt", 0x01, 3]);
  const markdown = sniffText(utf8("# Survey\n\nSee [the map](https://example.org/map).\n\n- north bank\n- south bank\n"));
  assert.deepEqual(markdown.ok ? [markdown.type, markdown.code] : markdown, ["md", 0x02]);
  const oneHash = sniffText(utf8("# not a heading on its own\njust prose"));
  assert.deepEqual(oneHash.ok ? oneHash.type : oneHash, "txt", "one construct alone stays plain text");
});

test("setext headings are read with LF or CRLF line ends, and only under a line that starts with text", () => {
  const typeOf = (text: string) => {
    const sniffed = sniffText(utf8(text));
    return sniffed.ok ? sniffed.type : sniffed.error;
  };
  const link = "See [the map](https://example.org/map).";
  assert.equal(typeOf(`Survey\n======\n\n${link}\n`), "md");
  assert.equal(typeOf(`Survey\r\n------  \r\n\r\n${link}\r\n`), "md", "CRLF");
  assert.equal(typeOf(`${link}\nSurvey\n---`), "md", "underline at the end of the text");
  assert.equal(typeOf(`\n======\n${link}`), "txt", "no line above the underline");
  assert.equal(typeOf(`  indented\n======\n${link}`), "txt", "the line above starts with a blank");
  assert.equal(typeOf(`Survey\n==-==\n${link}`), "txt", "a mixed underline");
  assert.equal(typeOf(`Survey\n====== x\n${link}`), "txt", "text after the underline");
});

test("characters are counted as code points, a byte order mark not among them", () => {
  const count = (text: string) => {
    const sniffed = sniffText(utf8(text));
    return sniffed.ok ? sniffed.characters : sniffed.error;
  };
  assert.equal(count("naïve 漢字 😀"), 10);
  assert.equal(count("\ufeffabc"), 3);
  const binary = sniffText(utf8("\ufeffé漢😀\u0001"));
  assert.match(binary.ok ? "" : binary.message, /U\+0001 at character 3/);
});

test("invalid UTF-8, binary content and empty files are refused with the reason", () => {
  const invalid = sniffText(Uint8Array.from([...utf8("caf"), 0xc3, 0x28, ...utf8(" au lait")]));
  assert.deepEqual(invalid.ok ? undefined : [invalid.error, invalid.message], [
    "not_utf8",
    "not valid UTF-8 (first invalid sequence near byte 3)",
  ]);
  const binary = sniffText(Uint8Array.from([...utf8("PK"), 0x03, 0x04, 0x00]));
  assert.deepEqual(binary.ok ? undefined : binary.error, "binary");
  assert.match(binary.ok ? "" : binary.message, /U\+0003 at character 2/);
  const empty = sniffText(new Uint8Array(0));
  assert.deepEqual(empty.ok ? undefined : empty.error, "empty");
  const truncated = sniffText(utf8("naïve").subarray(0, 3)); // cut inside "ï"
  assert.deepEqual(truncated.ok ? undefined : truncated.error, "not_utf8");
});

test("random bytes never throw", () => {
  for (let i = 0; i < 3000; i++) assert.equal(typeof sniffText(randomBytes(i % 500)).ok, "boolean");
});
