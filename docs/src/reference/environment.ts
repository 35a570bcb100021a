/**
 * The configuration reference, generated: every environment variable the running code reads (found in its
 * source), with the default and meaning the README's Configuration table gives it and the files that read
 * it. A variable read but not in the table, or in the table but read nowhere, fails the docs test.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** The code that runs a deployment (not tests, benchmarks or build tools): what an operator configures. */
const CONFIG_SOURCES = [
  "attestor/src",
  "attestor/runtime/src",
  "attestor/factory/src",
  "attestor/trainer/provena_trainer",
  "common/src/node.ts",
  "indexer/ponder.config.ts",
  "indexer/src",
  "scripts/start.ts",
  "scripts/indexer.ts",
  "scripts/deploy.ts",
  "scripts/lib/local-stack.ts",
  "verifier/src/cli.ts",
  "docs/src/config.ts",
  "hardhat.config.ts",
  "scripts/trainer-env.sh",
];

/**
 * Names of the variables a source reads: `env.X`, `env["X"]`, helpers given `env, "X"`, `configVariable("X")`;
 * in Python `os.environ.get("X"` and the trainer's `Guard("X"`; in shell `${X:-…}`.
 */
const READS = [
  /\benv\.([A-Z][A-Z0-9_]{2,})/g,
  /\benv\["([A-Z][A-Z0-9_]{2,})"\]/g,
  /\benv, "([A-Z][A-Z0-9_]{2,})"/g,
  /configVariable\("([A-Z][A-Z0-9_]{2,})"\)/g,
  /os\.environ\.get\("([A-Z][A-Z0-9_]{2,})"/g,
  /\bGuard\("([A-Z][A-Z0-9_]{2,})"/g,
  /\$\{([A-Z][A-Z0-9_]{2,}):-/g,
];

const filesUnder = (root: string, path: string): string[] => {
  const full = join(root, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((name) => /\.(ts|py)$/.test(name) && !name.includes("generated") && !name.includes("tests/"))
    .map((name) => join(path, name));
};

/** Each variable the configuration sources read, with the files that read it. */
export function scanEnvironment(root: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of CONFIG_SOURCES.flatMap((path) => filesUnder(root, path))) {
    const source = readFileSync(join(root, file), "utf8");
    for (const pattern of READS) {
      for (const match of source.matchAll(pattern)) {
        const files = found.get(match[1]!) ?? [];
        if (!files.includes(file)) files.push(relative(root, join(root, file)));
        found.set(match[1]!, files);
      }
    }
  }
  return found;
}

export type Documented = { names: string[]; defaults: string; what: string };

/** The rows of the README's "## Configuration" table: the variables each names, its default and meaning. */
export function documentedEnvironment(readme: string): Documented[] {
  const start = readme.indexOf("\n## Configuration");
  const end = readme.indexOf("\n## ", start + 1);
  const rows = readme
    .slice(start, end)
    .split("\n")
    .filter((line) => /^\|\s*`/.test(line));
  return rows.map((row) => {
    const [names = "", defaults = "", what = ""] = row
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim());
    return { names: [...names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!), defaults, what };
  });
}

export function environmentReference(root: string): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const reads = scanEnvironment(root);
  const rows = documentedEnvironment(readme).map(({ names, defaults, what }) => {
    const where = [...new Set(names.flatMap((name) => reads.get(name) ?? []))].map((file) => `\`${file}\``).join(", ");
    return `| ${names.map((name) => `\`${name}\``).join(", ")} | ${defaults} | ${what} | ${where || "—"} |`;
  });
  return `# Configuration reference

Every setting is an environment variable with a default that runs the local stack; nothing else is
needed for \`npm start\`. This table is generated from the README's Configuration section and from the code
that reads each variable (the last column), and a test fails when the two disagree.

| variable | default | what | read by |
| --- | --- | --- | --- |
${rows.join("\n")}

`;
}
