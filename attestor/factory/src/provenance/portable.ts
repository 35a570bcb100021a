/**
 * What a published record says about where things were: nothing of this machine. The run's spec and the
 * trainer's manifest name absolute paths (the base model's folder, the job's folder), and PEFT writes the
 * base model's folder into `adapter_config.json` as `base_model_name_or_path`, so the adapter would load only
 * here and the path would leak. They become the base model's portable name (the record carries its weights
 * hash) and paths relative to the job's folder.
 */

/** Every string in `value` with each key of `replacements` (an absolute path) replaced by its value. */
export function portable<T>(value: T, replacements: Readonly<Record<string, string>>): T {
  // Longest first, so that a folder inside another is replaced as itself.
  const prefixes = Object.keys(replacements).sort((a, b) => b.length - a.length);
  const rewrite = (text: string) => {
    for (const prefix of prefixes) {
      if (text === prefix) return replacements[prefix]!;
      if (text.startsWith(`${prefix}/`)) return `${replacements[prefix]}/${text.slice(prefix.length + 1)}`.replace(/^\.\//, "");
      if (text.includes(prefix)) return text.split(prefix).join(replacements[prefix]);
    }
    return text;
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") return rewrite(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
    return node;
  };
  return walk(value) as T;
}

/** A PEFT adapter config naming its base model by `baseModelName` rather than by a folder of this machine. */
export const withBaseModel = (config: Record<string, unknown>, baseModelName: string): Record<string, unknown> => ({
  ...config,
  base_model_name_or_path: baseModelName,
});
