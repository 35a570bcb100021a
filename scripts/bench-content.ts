/**
 * Content benchmark: the corpus of files written by real producers (scripts/corpus/), each judged by the
 * gateway's checks and the validator's assessment (scripts/corpus/run.ts).
 *   npm run bench:content                  a table, then the failures
 *   npm run bench:content -- --json        one JSON object
 *   --corpus DIR                           the corpus folder (default ~/.cache/provena/corpus, or PROVENA_CORPUS);
 *                                          generated first (producers installed) when it has no manifest.json
 * valid_refused: valid files not accepted with their own type by both; bad_accepted: damaged files the gateway
 * lets through; wrong_code: damaged files refused with another code than expected; agreement: files the gateway
 * accepts and the validator refuses as unreadable or as another type. "MB" is 1,048,576 bytes.
 */
import {
  badAcceptance,
  DEFAULT_CORPUS,
  disagreement,
  ensureCorpus,
  judgeAll,
  typeOf,
  validRefusal,
  wrongCode,
  type Failure,
} from "./corpus/run.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const at = args.indexOf("--corpus");
const folder = at >= 0 && args[at + 1] ? args[at + 1]! : DEFAULT_CORPUS;

const manifest = ensureCorpus(folder);
if (typeof manifest === "string") {
  console.error(manifest);
  process.exit(1);
}
const outcomes = await judgeAll(folder, manifest);

const valid = outcomes.filter((o) => o.entry.expect === "accept");
const bad = outcomes.filter((o) => o.entry.expect === "refuse");
const list = (f: (o: (typeof outcomes)[number]) => Failure | undefined) => outcomes.map(f).filter((x): x is Failure => x !== undefined);
const validRefused = list(validRefusal);
const badAccepted = list(badAcceptance);
const wrong = list(wrongCode);
const agreement = list(disagreement);
const megabytes = outcomes.reduce((sum, o) => sum + o.bytes, 0) / 1_048_576;
const seconds = (key: "gatewaySeconds" | "validatorSeconds") => outcomes.reduce((sum, o) => sum + o[key], 0);

const perType: Record<string, { valid: number; valid_refused: number; bad: number; bad_accepted: number; wrong_code: number }> = {};
for (const o of outcomes) {
  const type = typeOf(o.entry);
  const row = perType[type] ?? { valid: 0, valid_refused: 0, bad: 0, bad_accepted: 0, wrong_code: 0 };
  perType[type] = row;
  if (o.entry.expect === "accept") {
    row.valid++;
    if (validRefusal(o)) row.valid_refused++;
  } else {
    row.bad++;
    if (badAcceptance(o)) row.bad_accepted++;
    if (wrongCode(o)) row.wrong_code++;
  }
}

const round = (n: number, digits = 4) => Number(n.toFixed(digits));
const result = {
  corpus: folder,
  files: outcomes.length,
  megabytes: round(megabytes, 2),
  valid_files: valid.length,
  valid_refused: validRefused,
  valid_refused_rate: round(valid.length ? validRefused.length / valid.length : 0),
  bad_files: bad.length,
  bad_accepted: badAccepted,
  bad_accepted_rate: round(bad.length ? badAccepted.length / bad.length : 0),
  wrong_code: wrong,
  agreement,
  per_type: perType,
  sniff_mb_per_s: round(megabytes / seconds("gatewaySeconds"), 1),
  assess_mb_per_s: round(megabytes / seconds("validatorSeconds"), 1),
  skipped_producers: manifest.skipped,
};

if (json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`corpus ${folder}: ${outcomes.length} files, ${result.megabytes} MB`);
  console.table(perType);
  console.log(
    `valid refused ${validRefused.length}/${valid.length} (${(result.valid_refused_rate * 100).toFixed(1)}%), bad accepted ${badAccepted.length}/${bad.length} (${(result.bad_accepted_rate * 100).toFixed(1)}%), wrong code ${wrong.length}, gateway/validator disagreements ${agreement.length}`,
  );
  console.log(`gateway checks ${result.sniff_mb_per_s} MB/s, validator assessment ${result.assess_mb_per_s} MB/s`);
  for (const [title, failures] of [
    ["valid files refused", validRefused],
    ["damaged files accepted", badAccepted],
    ["damaged files refused with another code", wrong],
    ["accepted by the gateway, refused by the validator as unreadable", agreement],
  ] as const) {
    if (failures.length === 0) continue;
    console.log(`\n${title}:`);
    for (const f of failures) console.log(`  ${f.file} (${f.producer}, ${f.variant}; expected ${f.expected}): ${f.error}: ${f.message}`);
  }
  if (Object.keys(manifest.skipped).length > 0) console.log("\nproducers left out:", manifest.skipped);
}
