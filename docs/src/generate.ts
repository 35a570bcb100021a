/**
 * A generated answer grounded in the excerpts, when the operator names a model of ModelFactory's catalog
 * (DOCS_ANSWER_MODEL) and a key the docs server signs in to the attestor with (DOCS_ANSWER_KEY). The model
 * runs where every model of the project runs, in the attestor's chat (its accelerator lock, its limits);
 * the docs server only asks: the question and the numbered excerpts, told to answer from them alone. The
 * extractive answer stays the answer of record; the generated one comes beside it, with its model named.
 */
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import type { Excerpt } from "./ask.js";
import { DocsError } from "./errors.js";

export type GeneratorOptions = { attestorUrl: string; model: string; key: Hex; chainId: number; maxNewTokens?: number; timeoutMs?: number };

export type Generated = { model: string; text: string; promptTokens: number; completionTokens: number; finishReason: string };

const INSTRUCTIONS =
  "You answer questions about Provena from the numbered excerpts of its documentation only. Quote or paraphrase them, " +
  'cite each excerpt you use as [n], and answer "Not in the docs." when they do not answer the question.';

/** The messages the model is given: the instructions, then the question with its excerpts. */
export const groundedMessages = (question: string, excerpts: Excerpt[]) => [
  { role: "system" as const, content: INSTRUCTIONS },
  {
    role: "user" as const,
    content: `${excerpts.map((e, i) => `[${i + 1}] (${e.title}${e.heading ? ` › ${e.heading}` : ""}) ${e.text}`).join("\n")}\n\nQuestion: ${question}`,
  },
];

/** The `reply` event of the attestor's /chat stream (server-sent events), or the error it ended with. */
function replyOf(stream: string): { text: string; finish_reason: string; prompt_tokens: number; completion_tokens: number } {
  let failure: string | undefined;
  for (const block of stream.split("\n\n")) {
    const event = /^event: (\w+)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (!event || !data) continue;
    if (event === "reply") return JSON.parse(data);
    if (event === "error") failure = (JSON.parse(data) as { message?: string }).message;
  }
  throw new DocsError("upstream", "generation_failed", `the attestor's chat gave no reply${failure ? `: ${failure}` : ""}`);
}

export function createGenerator(options: GeneratorOptions) {
  const account = privateKeyToAccount(options.key);
  let session: { token: string; expiresAt: number } | undefined;

  async function signIn(): Promise<string> {
    if (session && session.expiresAt > Date.now() / 1000 + 60) return session.token;
    const { nonce } = (await (await fetch(`${options.attestorUrl}/auth/nonce`)).json()) as { nonce: string };
    const url = new URL(options.attestorUrl);
    const message = createSiweMessage({
      domain: url.host,
      address: account.address,
      statement: "The docs server asks for grounded answers.",
      uri: url.origin,
      version: "1",
      chainId: options.chainId,
      nonce,
    });
    const response = await fetch(`${options.attestorUrl}/auth/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
    });
    const body = (await response.json()) as { token?: string; expiresAt?: number; message?: string };
    if (!response.ok || !body.token)
      throw new DocsError(
        "upstream",
        "sign_in_failed",
        `the docs server could not sign in to the attestor: ${body.message ?? response.status}`,
      );
    session = { token: body.token, expiresAt: body.expiresAt ?? 0 };
    return body.token;
  }

  /**
   * The reply to the question over the excerpts; a prompt longer than the model reads is asked again with
   * the excerpts cut to fit (the attestor names both lengths), at most twice.
   */
  async function generate(question: string, excerpts: Excerpt[]): Promise<Generated> {
    let given = excerpts;
    for (let attempt = 0; ; attempt++) {
      try {
        return await reply(question, given);
      } catch (error) {
        const sizes = /prompt is (\d+) tokens; the model reads at most (\d+)/.exec((error as Error).message);
        if (!sizes || attempt === 2) throw error;
        const ratio = (Number(sizes[2]) / Number(sizes[1])) * 0.7;
        given = given.map((excerpt) => ({
          ...excerpt,
          text: excerpt.text.slice(0, Math.max(40, Math.floor(excerpt.text.length * ratio))),
        }));
      }
    }
  }

  async function reply(question: string, excerpts: Excerpt[]): Promise<Generated> {
    const token = await signIn();
    const response = await fetch(`${options.attestorUrl}/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        baseModel: options.model,
        messages: groundedMessages(question, excerpts),
        max_new_tokens: options.maxNewTokens ?? 200,
        temperature: 0,
      }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new DocsError("upstream", "generation_failed", `the attestor's chat refused: ${body.message ?? response.status}`);
    }
    const reply = replyOf(await response.text());
    return {
      model: options.model,
      text: reply.text.trim(),
      promptTokens: reply.prompt_tokens,
      completionTokens: reply.completion_tokens,
      finishReason: reply.finish_reason,
    };
  }

  return { generate };
}

export type Generator = ReturnType<typeof createGenerator>;
