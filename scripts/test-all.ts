/**
 * `npm test`: every suite of the project, one after another (the machine has 2 cores), with their own
 * output streamed, then one line CI reads: `N passed, N failed, N skipped`.
 * A suite that exits non-zero without reporting a failure counts as one failure.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

type Counts = { passed: number; failed: number; skipped: number };
type Suite = { name: string; command: string[]; parse: (output: string, code: number) => Counts | undefined; when?: () => boolean };

const lastNumber = (output: string, pattern: RegExp): number => {
  const matches = [...output.matchAll(pattern)];
  return matches.length ? Number(matches[matches.length - 1]![1]) : 0;
};

/** A command that passes or fails as a whole (the formatter and linters): one test. */
const wholeCommand = (_output: string, code: number): Counts => ({ passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 });

const suites: Suite[] = [
  { name: "lint (tsc, biome, prettier, solhint)", command: ["npm", "run", "--silent", "lint"], parse: wholeCommand },
  {
    name: "contracts (mocha)",
    command: ["npx", "hardhat", "test", "mocha"],
    parse: (out) =>
      /\d+ passing/.test(out)
        ? {
            passed: lastNumber(out, /(\d+) passing/g),
            failed: lastNumber(out, /(\d+) failing/g),
            skipped: lastNumber(out, /(\d+) pending/g),
          }
        : undefined,
  },
  {
    name: "unit + end to end (node:test)",
    command: ["node", "--import", "tsx", "--test", "--test-concurrency=1", "test/unit/**/*.test.ts", "test/e2e/**/*.test.ts"],
    parse: (out) =>
      /# pass \d+/.test(out)
        ? {
            passed: lastNumber(out, /# pass (\d+)/g),
            failed: lastNumber(out, /# fail (\d+)/g),
            skipped: lastNumber(out, /# skipped (\d+)/g),
          }
        : undefined,
  },
  {
    name: "training worker (pytest)",
    command: ["bash", "scripts/trainer-test.sh"],
    when: () => existsSync("scripts/trainer-test.sh"),
    parse: (out) => {
      const summary = [...out.matchAll(/^=+ (.*(?:passed|failed|error).*) in [\d.]+s.*=+$/gm)].pop()?.[1];
      if (!summary) return undefined;
      const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0);
      return { passed: count("passed"), failed: count("failed") + count("errors?"), skipped: count("skipped") };
    },
  },
];

const run = (command: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });

// The generated ABIs (common/src/generated) come from the build; every suite after it imports them.
console.log("=== build: npm run build");
const build = await run(["npm", "run", "build"]);
if (build.code !== 0) {
  console.log("0 passed, 1 failed, 0 skipped");
  process.exit(1);
}

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const lines: string[] = [];
for (const suite of suites) {
  if (suite.when && !suite.when()) continue;
  console.log(`\n=== ${suite.name}: ${suite.command.join(" ")}`);
  const { code, output } = await run(suite.command);
  const counts = suite.parse(output, code) ?? { passed: 0, failed: 0, skipped: 0 };
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  lines.push(`  ${suite.name.padEnd(28)} ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (exit ${code})`);
}
console.log(`\nSummary\n${lines.join("\n")}`);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
