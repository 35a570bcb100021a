/**
 * The contracts reference, generated from the build and the sources: each deployed contract's ABI (the
 * Hardhat artifact, as every package gets it) with the NatSpec its interface and implementation give each
 * function, event and error (`///` comments; implementations say `@inheritdoc`, so the interface's text wins).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const DOCUMENTED_CONTRACTS = ["DatanetRegistry", "ContributionLedger", "ModelRegistry"] as const;

type NatSpec = { notice: string; dev: string; params: [string, string][]; returns: string[] };
type AbiParameter = { name: string; type: string; internalType?: string };
type AbiItem = { type: string; name?: string; inputs?: AbiParameter[]; outputs?: AbiParameter[]; stateMutability?: string };

const emptySpec = (): NatSpec => ({ notice: "", dev: "", params: [], returns: [] });

/** The `///` block before each `function`, `event`, `error` and `interface`/`contract` of a source, by name. */
export function natSpecOf(source: string): Map<string, NatSpec> {
  const found = new Map<string, NatSpec>();
  let block: string[] = [];
  for (const raw of source.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("///")) {
      block.push(line.replace(/^\/\/\/ ?/, ""));
      continue;
    }
    const declared = /^(?:function|event|error|interface|contract|abstract contract|library)\s+(\w+)/.exec(line)?.[1];
    if (declared && block.length > 0 && !found.has(declared)) found.set(declared, parseTags(block));
    block = [];
  }
  return found;
}

function parseTags(lines: string[]): NatSpec {
  const spec = emptySpec();
  let current: { tag: string; text: string[] } = { tag: "notice", text: [] };
  const flush = () => {
    const text = current.text.join("\n").trim();
    if (!text) return;
    if (current.tag === "title") return; // the contract's name, already the heading
    if (current.tag === "notice") spec.notice = spec.notice ? `${spec.notice}\n${text}` : text;
    else if (current.tag === "dev") spec.dev = spec.dev ? `${spec.dev}\n${text}` : text;
    else if (current.tag === "param") {
      const [, name = "", rest = ""] = /^(\w+)\s*([\s\S]*)$/.exec(text) ?? [];
      spec.params.push([name, rest.replace(/\s+/g, " ")]);
    } else if (current.tag === "return") spec.returns.push(text.replace(/\s+/g, " "));
  };
  for (const line of lines) {
    const tag = /^@(\w+)\s?(.*)$/.exec(line);
    if (tag && tag[1] !== "inheritdoc") {
      flush();
      current = { tag: tag[1]!, text: [tag[2]!] };
    } else if (!tag) current.text.push(line);
  }
  flush();
  return spec;
}

/** A struct by its name (`IDatanetRegistry.CreateParams`), anything else by its ABI type. */
const typeOf = (parameter: AbiParameter): string =>
  parameter.internalType?.startsWith("struct ") ? parameter.internalType.slice("struct ".length) : parameter.type;
const signature = (item: AbiItem) =>
  `${item.name}(${(item.inputs ?? []).map((p) => `${typeOf(p)}${p.name ? ` ${p.name}` : ""}`).join(", ")})`;

const describe = (spec: NatSpec | undefined) => {
  if (!spec) return "";
  const parts = [spec.notice, spec.dev]
    .filter(Boolean)
    .join("\n\n")
    .replace(/\{(\w+)\}/g, "`$1`");
  const params = spec.params.map(([name, text]) => `- \`${name}\`: ${text}`).join("\n");
  const returns = spec.returns.map((text) => `- returns ${text}`).join("\n");
  return [parts, params, returns].filter(Boolean).join("\n\n");
};

/** Every NatSpec block of the contract sources, interfaces first (their text is the one implementations inherit). */
function allSpecs(root: string): Map<string, Map<string, NatSpec>> {
  const byContract = new Map<string, Map<string, NatSpec>>();
  const dirs = ["contracts/interfaces", "contracts"];
  for (const dir of dirs) {
    for (const file of readdirSync(join(root, dir)).filter((name) => name.endsWith(".sol"))) {
      const contract = file.replace(/\.sol$/, "").replace(/^I(?=[A-Z])/, "");
      const specs = byContract.get(contract) ?? new Map<string, NatSpec>();
      for (const [name, spec] of natSpecOf(readFileSync(join(root, dir, file), "utf8"))) if (!specs.has(name)) specs.set(name, spec);
      byContract.set(contract, specs);
    }
  }
  return byContract;
}

export function contractsReference(root: string): string {
  const specs = allSpecs(root);
  const parts = DOCUMENTED_CONTRACTS.map((name) => {
    const abi = (JSON.parse(readFileSync(join(root, "artifacts/contracts", `${name}.sol`, `${name}.json`), "utf8")) as { abi: AbiItem[] })
      .abi;
    const docs = specs.get(name) ?? new Map<string, NatSpec>();
    const about = docs.get(`I${name}`) ?? docs.get(name);
    const functions = abi
      .filter((item) => item.type === "function")
      .sort((a, b) => a.name!.localeCompare(b.name!))
      .map((item) => {
        const outputs = (item.outputs ?? []).map(typeOf).join(", ");
        const mutability = item.stateMutability === "view" || item.stateMutability === "pure" ? " (read)" : "";
        return `### \`${signature(item)}\`${mutability}\n\n${outputs ? `Returns \`(${outputs})\`.\n\n` : ""}${describe(docs.get(item.name!))}`.trim();
      });
    const list = (kind: "event" | "error") =>
      abi
        .filter((item) => item.type === kind)
        .sort((a, b) => a.name!.localeCompare(b.name!))
        .map(
          (item) =>
            `- \`${signature(item)}\`${docs.get(item.name!)?.notice || docs.get(item.name!)?.dev ? `: ${(docs.get(item.name!)!.notice || docs.get(item.name!)!.dev).replace(/\s+/g, " ")}` : ""}`,
        )
        .join("\n");
    return `## ${name}\n\n${describe(about)}\n\n${functions.join("\n\n")}\n\n### Events of ${name}\n\n${list("event")}\n\n### Errors of ${name}\n\n${list("error")}`;
  });
  return `# Contracts reference

The three contracts every deployment has, generated from the Hardhat build (their ABIs, as the deployment
file and \`common/src/generated/abis.ts\` carry them) and the NatSpec of their sources: what each function
requires and which events it emits. Reverts are custom errors, listed per contract; addresses and ABIs of a
deployment are in its deployment file (\`data/deployment.json\` on the local stack).

${parts.join("\n\n")}
`;
}
