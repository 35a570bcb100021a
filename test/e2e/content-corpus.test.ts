/**
 * The content corpus (scripts/corpus/: files written by real producers, and damaged copies of them) judged
 * as uploads are: every valid file accepted with its own type by the gateway and the validator, every
 * damaged one refused by the gateway with the expected code, and no file the gateway accepts refused by the
 * validator as unreadable. Skipped, saying why, when the producers cannot be installed here.
 * Images and audio, and the text types (txt, md, pdf, docx), are two tests: a failure names its readers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  badAcceptance,
  disagreement,
  ensureCorpus,
  IMAGE_AND_AUDIO,
  judgeAll,
  typeOf,
  validRefusal,
  wrongCode,
  DEFAULT_CORPUS,
  type Failure,
  type Outcome,
} from "../../scripts/corpus/run.js";

const manifest = ensureCorpus(DEFAULT_CORPUS);
const outcomes: Promise<Outcome[]> | undefined = typeof manifest === "string" ? undefined : judgeAll(DEFAULT_CORPUS, manifest);

const show = (failures: Failure[]) =>
  failures.map((f) => `  ${f.file} (${f.producer}, ${f.variant}; expected ${f.expected}): ${f.error}: ${f.message}`).join("\n");

function check(all: Outcome[], types: (type: string) => boolean) {
  const mine = all.filter((o) => types(typeOf(o.entry)));
  assert.ok(mine.length > 0, "the corpus has files of these types");
  const pick = (f: (o: Outcome) => Failure | undefined) => mine.map(f).filter((x): x is Failure => x !== undefined);
  const [refused, accepted, wrong, disagree] = [pick(validRefusal), pick(badAcceptance), pick(wrongCode), pick(disagreement)];
  const valid = mine.filter((o) => o.entry.expect === "accept").length;
  assert.ok(valid > 0 && valid < mine.length, "valid and damaged files both");
  assert.equal(refused.length, 0, `valid files refused (${refused.length} of ${valid}):\n${show(refused)}`);
  assert.equal(accepted.length, 0, `damaged files accepted (${accepted.length}):\n${show(accepted)}`);
  assert.equal(wrong.length, 0, `damaged files refused with another code (${wrong.length}):\n${show(wrong)}`);
  assert.equal(
    disagree.length,
    0,
    `accepted by the gateway, refused by the validator as unreadable (${disagree.length}):\n${show(disagree)}`,
  );
}

test("images and audio from real producers: valid accepted, damaged refused with the right code, gateway and validator agree", async (t) => {
  if (!outcomes) return t.skip(manifest as string);
  check(await outcomes, (type) => IMAGE_AND_AUDIO.has(type));
});

test("text, Markdown, PDF and DOCX from real producers: the same", async (t) => {
  if (!outcomes) return t.skip(manifest as string);
  check(await outcomes, (type) => !IMAGE_AND_AUDIO.has(type));
});
