/**
 * The content corpus (scripts/corpus/generate.py) judged as the project judges uploads: the gateway's checks
 * (sniffFile, then the near-duplicate fingerprint, whose decode failure refuses the file as `corrupt`, as
 * attestor/gateway/src/upload/inspect-worker.ts and service.ts do) and the validator's assessment
 * (attestor/validator/src/quality). Shared by `npm run bench:content` and test/e2e/content-corpus.test.ts.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { extname, join } from "node:path";
import { FILE_TYPES, Reason, reasonText, type FileTypeName } from "@provena/common";
import { fingerprintOf, sniffFile } from "@provena/content";
import { assess } from "../../attestor/validator/src/quality/index.js";

export type ManifestEntry =
  | { file: string; producer: string; variant: string; expect: "accept"; type: FileTypeName }
  | { file: string; producer: string; variant: string; expect: "refuse"; error: string; damage: string };

export type Manifest = { generator: string; files: ManifestEntry[]; skipped: Record<string, string> };

const cache = process.env.PROVENA_CACHE ?? join(homedir(), ".cache", "provena");
export const DEFAULT_CORPUS = process.env.PROVENA_CORPUS ?? join(cache, "corpus");
const HERE = new URL(".", import.meta.url).pathname;

/** The SHA-256 of the generator's sources, as generate.py records it in the manifest. */
const generatorHash = () =>
  createHash("sha256")
    .update(Buffer.concat(["generate.py", "texts.py", "requirements.txt"].map((name) => readFileSync(join(HERE, name)))))
    .digest("hex");

const current = (manifest: string) =>
  existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as Manifest).generator === generatorHash();

/**
 * The corpus's manifest, generating it first (installing the producers) when the folder has none, or one
 * that other generator sources wrote. A string when it cannot be made: the reason, for a skip message.
 */
export function ensureCorpus(folder = DEFAULT_CORPUS): Manifest | string {
  const manifest = join(folder, "manifest.json");
  if (!current(manifest)) {
    const install = spawnSync("bash", [join(HERE, "install.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (install.status !== 0)
      return `the corpus producers are not installed: ${(install.stderr || install.stdout).trim().split("\n").at(-1)}`;
    const python = join(cache, "corpus-venv", "bin", "python");
    const made = spawnSync(python, [join(HERE, "generate.py"), folder], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (made.status !== 0 || !current(manifest)) return `the corpus could not be generated: ${made.stderr.trim().split("\n").at(-1)}`;
  }
  return JSON.parse(readFileSync(manifest, "utf8")) as Manifest;
}

const BY_EXTENSION = new Map<string, FileTypeName>(FILE_TYPES.flatMap((t) => t.extensions.map((e) => [e, t.name as FileTypeName])));

export type Gateway = { ok: true; type: FileTypeName } | { ok: false; error: string; message: string };
export type Validator = { accept: boolean; reason: string; score: number; explanation: string };

export type Outcome = {
  entry: ManifestEntry;
  bytes: number;
  gateway: Gateway;
  /** The validator's verdict, with the type the gateway found (or the file's extension's when it refused). */
  validator: Validator | undefined;
  gatewaySeconds: number;
  validatorSeconds: number;
};

/** The gateway's answer for a file's bytes: what an upload of it is refused with, or its type. */
export async function gatewayCheck(bytes: Uint8Array): Promise<Gateway> {
  const sniffed = sniffFile(bytes);
  if (!sniffed.ok) return { ok: false, error: sniffed.error, message: sniffed.message };
  try {
    await fingerprintOf(bytes, sniffed.type, sniffed.modality);
  } catch (error) {
    return { ok: false, error: "corrupt", message: `the ${sniffed.type.toUpperCase()} file does not decode: ${(error as Error).message}` };
  }
  return { ok: true, type: sniffed.type };
}

export async function judge(folder: string, entry: ManifestEntry): Promise<Outcome> {
  const bytes = new Uint8Array(readFileSync(join(folder, entry.file)));
  let started = performance.now();
  const gateway = await gatewayCheck(bytes);
  const gatewaySeconds = (performance.now() - started) / 1000;
  const type = gateway.ok ? gateway.type : entry.expect === "accept" ? entry.type : BY_EXTENSION.get(extname(entry.file).toLowerCase());
  started = performance.now();
  const verdict = type === undefined || bytes.length === 0 ? undefined : await assess(bytes, type);
  const validatorSeconds = (performance.now() - started) / 1000;
  const validator = verdict && {
    accept: verdict.accept,
    reason: reasonText(verdict.reason) ?? String(verdict.reason),
    score: verdict.score,
    explanation: verdict.explanation,
  };
  return { entry, bytes: bytes.length, gateway, validator, gatewaySeconds, validatorSeconds };
}

export async function judgeAll(folder: string, manifest: Manifest): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const entry of manifest.files) outcomes.push(await judge(folder, entry)); // one at a time: the timings are per file
  return outcomes;
}

export type Failure = { file: string; producer: string; variant: string; expected: string; error: string; message: string };

const failure = (o: Outcome, error: string, message: string): Failure => ({
  file: o.entry.file,
  producer: o.entry.producer,
  variant: o.entry.variant,
  expected: o.entry.expect === "accept" ? `accept ${o.entry.type}` : o.entry.error,
  error,
  message,
});

/** A valid file that is not accepted end to end with its own type: why. */
export function validRefusal(o: Outcome): Failure | undefined {
  if (o.entry.expect !== "accept") return undefined;
  if (!o.gateway.ok) return failure(o, o.gateway.error, o.gateway.message);
  if (o.gateway.type !== o.entry.type) return failure(o, "wrong_type", `the gateway took it as ${o.gateway.type}`);
  if (o.validator && !o.validator.accept) return failure(o, `validator: ${o.validator.reason}`, o.validator.explanation);
  return undefined;
}

/** A damaged file the gateway lets through (whatever the validator then says). */
export function badAcceptance(o: Outcome): Failure | undefined {
  if (o.entry.expect !== "refuse" || !o.gateway.ok) return undefined;
  const then = o.validator
    ? `validator ${o.validator.accept ? `accepts, score ${o.validator.score}` : `refuses: ${o.validator.explanation}`}`
    : "";
  return failure(o, `accepted as ${o.gateway.type}`, then);
}

/** A damaged file refused with another code than the one expected. */
export function wrongCode(o: Outcome): Failure | undefined {
  if (o.entry.expect !== "refuse" || o.gateway.ok || o.gateway.error === o.entry.error) return undefined;
  return failure(o, o.gateway.error, o.gateway.message);
}

/** A file the gateway accepts that the validator refuses as unreadable or as another type: the two disagree. */
export function disagreement(o: Outcome): Failure | undefined {
  if (!o.gateway.ok || !o.validator || o.validator.accept) return undefined;
  const unreadable = [reasonText(Reason.Corrupt), reasonText(Reason.WrongType)];
  return unreadable.includes(o.validator.reason) ? failure(o, `validator: ${o.validator.reason}`, o.validator.explanation) : undefined;
}

/** The type a corpus file is counted under: its expected type, or for damaged ones its name's. */
export const typeOf = (entry: ManifestEntry): string =>
  entry.expect === "accept" ? entry.type : (BY_EXTENSION.get(extname(entry.file).toLowerCase()) ?? "other");

export const IMAGE_AND_AUDIO = new Set<string>(FILE_TYPES.filter((t) => t.modality !== "text").map((t) => t.name));
