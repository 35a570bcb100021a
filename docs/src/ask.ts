/**
 * Answers from the docs, extractive: the sections the search ranks first, then in them the sentences (or
 * list items, or table rows) that carry most of the question's weight, quoted with their page and anchor.
 * The confidence is the share of the question's weight (each term by its rarity across the docs) that the
 * quoted sections hold; below `NOT_IN_DOCS_BELOW` the answer is "not in the docs", whatever matched.
 */
import type { SearchIndex } from "./search.js";
import { terms } from "./search.js";
import { DocsError } from "./errors.js";
import type { Generated } from "./generate.js";

export const MAX_QUESTION_CHARS = 500;
export const NOT_IN_DOCS_BELOW = 0.5;
const SECTIONS_READ = 4;
const SENTENCES_QUOTED = 3;

export type Excerpt = { page: string; anchor: string; heading: string; title: string; text: string; source: string; score: number };

export type Answer = {
  question: string;
  goal?: string;
  found: boolean;
  /** The answer in words: the quoted sentences, or "Not in the docs." */
  answer: string;
  confidence: number;
  excerpts: Excerpt[];
  /** Where a model is configured (generate.ts): its answer from the excerpts, or why there is none. */
  generated?: Generated | { error: string };
};

export type AskParameters = { question: string; goal?: string | undefined; page?: string | undefined; sources?: string[] | undefined };

/** A question as the docs take it, or a DocsError naming what is wrong with it. */
export function checkQuestion(raw: string | undefined, name = "ask"): string {
  const question = (raw ?? "").replace(/\s+/g, " ").trim();
  if (!question)
    throw new DocsError("invalid", "empty_question", `${name} is empty: ask a question in words, e.g. ?${name}=how+do+I+contribute`);
  if (question.length > MAX_QUESTION_CHARS)
    throw new DocsError("too_large", "question_too_long", `${name} is ${question.length} characters; at most ${MAX_QUESTION_CHARS}`);
  if (terms(question).length === 0)
    throw new DocsError("invalid", "no_terms", `${name} has no words to search for (only stop words or punctuation): "${question}"`);
  return question;
}

const MAX_CODE_UNIT = 800;

/**
 * Sentences, list items, table rows and code blocks of a section's Markdown, each a unit that can be
 * quoted alone (a code block whole, up to MAX_CODE_UNIT characters: a command answers "how do I").
 */
function units(markdown: string): string[] {
  const out: string[] = [];
  let code: string[] | undefined;
  const prose: string[] = [];
  // Code blocks first, whole, even with blank lines inside; the rest is prose.
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) {
      if (code) {
        code.push(line);
        const block = code.join("\n");
        if (block.length <= MAX_CODE_UNIT) out.push(block);
        code = undefined;
      } else code = [line];
      prose.push("");
      continue;
    }
    if (code) code.push(line);
    else prose.push(line);
  }
  for (const block of prose.join("\n").split(/\n\s*\n/)) {
    if (!block.trim()) continue;
    const lines = block.split("\n").filter((line) => line.trim());
    if (lines.every((line) => /^\s*([-*+]|\d+\.|\|)/.test(line) || /^\s{2,}\S/.test(line))) {
      // Lists and tables: one unit per item or row (continuation lines joined), separator rows dropped.
      for (const line of lines) {
        if (/^\s*\|?\s*:?-{3,}/.test(line)) continue;
        if (/^\s{2,}\S/.test(line) && out.length > 0) out[out.length - 1] += ` ${line.trim()}`;
        else out.push(line.trim().replace(/\s{2,}/g, " "));
      }
      continue;
    }
    const paragraph = block.replace(/\s+/g, " ").trim();
    // Sentences end at . ! or ? before white space and a capital (not inside `llms.txt` or "e.g. this").
    out.push(
      ...paragraph
        .split(/(?<=[.!?])\s+(?=[A-Z0-9`*"([])/)
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  return out.filter((unit) => unit.length > 0 && !/^#/.test(unit));
}

/** Whether a unit is a definition of the question's terms: `**Term**: …` or `Term: …` at its start. */
function definesAsked(unit: string, asked: string[]): boolean {
  const label = /^[-*+]?\s*\*\*([^*]+)\*\*/.exec(unit)?.[1] ?? /^[-*+]?\s*([^:]{1,40}):/.exec(unit)?.[1];
  if (!label) return false;
  const labelTerms = terms(label);
  return labelTerms.length > 0 && labelTerms.every((term) => asked.includes(term));
}

export function ask(index: SearchIndex, parameters: AskParameters): Answer {
  const question = checkQuestion(parameters.question);
  const goal = parameters.goal === undefined ? undefined : checkQuestion(parameters.goal, "goal");
  // The goal widens the search a little; the question alone decides what is quoted and how sure we are.
  const hits = index.search(goal ? `${question} ${goal}` : question, {
    limit: SECTIONS_READ,
    boostPage: parameters.page,
    sources: parameters.sources,
  });
  const asked = [...new Set(terms(question))];
  const termWeight = (term: string) => Math.log(1 + index.sections / (1 + index.documentFrequency(term)));
  const total = asked.reduce((sum, term) => sum + termWeight(term), 0);

  const covered = new Set<string>();
  const candidates: { excerpt: Excerpt; weight: number; order: number }[] = [];
  for (const [rank, hit] of hits.entries()) {
    const sectionTerms = new Set(terms(`${hit.title} ${hit.section.heading} ${hit.section.text}`));
    for (const term of asked) if (sectionTerms.has(term)) covered.add(term);
    // A unit is read under its heading: the heading's terms count for it at half their weight.
    const headingTerms = new Set(terms(hit.section.heading));
    for (const [order, unit] of units(hit.section.text).entries()) {
      const unitTerms = new Set(terms(unit));
      const own = asked.filter((term) => unitTerms.has(term)).reduce((sum, term) => sum + termWeight(term), 0);
      const underHeading = asked
        .filter((term) => !unitTerms.has(term) && headingTerms.has(term))
        .reduce((sum, term) => sum + termWeight(term), 0);
      const weight = own + underHeading / 2;
      if (weight === 0) continue;
      // Earlier sections and earlier sentences first, at equal weight.
      candidates.push({
        excerpt: { ...hit.section, title: hit.title, text: unit, score: Number(hit.score.toFixed(3)) },
        // A sentence of a lower-ranked section must carry much more of the question to be quoted first.
        weight: weight * 0.6 ** rank * (definesAsked(unit, asked) ? 2 : 1),
        order: rank * 1_000 + order,
      });
    }
  }
  const confidence = total === 0 ? 0 : Number(([...covered].reduce((sum, term) => sum + termWeight(term), 0) / total).toFixed(2));
  // The best sentence first; others only when they carry at least a third as much of the question.
  const ranked = candidates.sort((a, b) => b.weight - a.weight || a.order - b.order);
  const best = ranked[0]?.weight ?? 0;
  const chosen = ranked.filter((c) => c.weight >= best / 3).slice(0, SENTENCES_QUOTED);
  const found = chosen.length > 0 && confidence >= NOT_IN_DOCS_BELOW;
  const excerpts = found ? chosen.map((c) => c.excerpt) : [];
  return {
    question,
    ...(goal ? { goal } : {}),
    found,
    answer: found ? excerpts.map((e) => e.text).join(" ") : "Not in the docs.",
    confidence,
    excerpts,
  };
}
