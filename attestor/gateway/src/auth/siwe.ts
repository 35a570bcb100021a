/**
 * Sign-In with Ethereum (EIP-4361) with viem's helpers. The attestor hands out single-use nonces; a
 * wallet signs a message naming this attestor's domain, the deployment's chain and one of those nonces;
 * the signature is checked against the chain (so EIP-1271 contract wallets sign in too), and the
 * answer is a bearer session token. Only the token's SHA-256 is stored.
 */
import { createHash, randomBytes } from "node:crypto";
import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { generateSiweNonce, parseSiweMessage, verifySiweMessage } from "viem/siwe";
import { type ChainView, type Db, fail } from "@provena/runtime";

export type AuthOptions = {
  db: Db;
  chain: ChainView;
  chainId: number;
  /** The host[:port]s a message may name, from configuration (never from a request's Host header). */
  domains: () => readonly string[];
  nonceTtlSeconds: number;
  sessionTtlSeconds: number;
  now?: () => number;
};

export type Session = { address: Address; expiresAt: number };

/** Accepted clock difference between a wallet and the attestor for `issuedAt`. */
const CLOCK_SKEW_SECONDS = 60;

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/** A message's URI must be on its own domain, over https (or http on a loopback host); else why not. */
export function checkUri(uri: string, domain: string): string | undefined {
  const url = URL.parse(uri);
  if (!url) return `the message's URI "${uri}" is not a URI`;
  if (url.host !== domain) return `the message's URI "${uri}" is not on its domain "${domain}"`;
  const loopback = LOOPBACK_HOSTS.includes(url.hostname);
  if (url.protocol !== "https:" && !(loopback && url.protocol === "http:"))
    return `the message's URI "${uri}" must be https${loopback ? " or http" : ""}`;
  return undefined;
}

/** The domains an attestor listening on `port` answers to on this machine, when none are configured. */
export const loopbackDomains = (port: number) => [`127.0.0.1:${port}`, `localhost:${port}`];

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const seconds = (date: Date | undefined) => (date ? Math.floor(date.getTime() / 1000) : undefined);

export function createAuth(options: AuthOptions) {
  const { db } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const insertNonce = db.prepare("INSERT INTO nonce (value, expires_at) VALUES (?, ?)");
  const findNonce = db.prepare("SELECT expires_at, used FROM nonce WHERE value = ?");
  const consumeNonce = db.prepare("UPDATE nonce SET used = 1 WHERE value = ? AND used = 0");
  const dropOld = db.prepare("DELETE FROM nonce WHERE expires_at < ?");
  const insertSession = db.prepare("INSERT INTO session (token_hash, address, chain_id, expires_at) VALUES (?, ?, ?, ?)");
  const findSession = db.prepare("SELECT address, expires_at FROM session WHERE token_hash = ?");
  const deleteSession = db.prepare("DELETE FROM session WHERE token_hash = ?");
  const dropExpiredSessions = db.prepare("DELETE FROM session WHERE expires_at < ?");

  const issueNonce = () => {
    const at = now();
    dropOld.run(at - options.nonceTtlSeconds); // used or not, an expired nonce can never sign in again
    dropExpiredSessions.run(at);
    const nonce = generateSiweNonce();
    const expiresAt = at + options.nonceTtlSeconds;
    insertNonce.run(nonce, expiresAt);
    return { nonce, expiresAt };
  };

  /** Checks a signed sign-in message and opens a session; every refusal names its reason. */
  const signIn = async (body: unknown) => {
    const { message, signature } = (body ?? {}) as { message?: unknown; signature?: unknown };
    if (typeof message !== "string" || message.length > 4_096)
      fail("invalid", "bad_request", "body must be JSON {message, signature}: message is the EIP-4361 text");
    if (typeof signature !== "string" || !isHex(signature)) fail("invalid", "bad_request", "signature must be a 0x-prefixed hex string");
    const fields = parseSiweMessage(message as string);
    const { address, domain, nonce, chainId, uri, version } = fields;
    if (!address || !isAddress(address) || !domain || !nonce || chainId === undefined || !uri || version !== "1") {
      fail("invalid", "malformed_message", "not an EIP-4361 message: it needs domain, address, URI, version 1, chain ID and nonce");
    }
    // Spend the nonce first: whatever the outcome, a message is tried once.
    const stored = findNonce.get(nonce!) as { expires_at: number; used: number } | undefined;
    if (!stored) fail("unauthenticated", "unknown_nonce", "this nonce was not issued by this attestor (GET /auth/nonce)");
    if (consumeNonce.run(nonce!).changes !== 1)
      fail("unauthenticated", "nonce_replayed", "this nonce was already used: sign in again with a fresh one");
    const at = now();
    if (stored!.expires_at < at)
      fail("unauthenticated", "nonce_expired", `the nonce expired at ${new Date(stored!.expires_at * 1000).toISOString()}`);
    const allowed = options.domains();
    if (!allowed.includes(domain!))
      fail(
        "unauthenticated",
        "wrong_domain",
        `the message is for "${domain}", but this attestor signs in ${allowed.map((d) => `"${d}"`).join(", ")}`,
      );
    const uriProblem = checkUri(uri!, domain!);
    if (uriProblem) fail("unauthenticated", "wrong_uri", uriProblem);
    if (chainId !== options.chainId)
      fail("unauthenticated", "wrong_chain", `the message is for chain ${chainId}, but this attestor serves chain ${options.chainId}`);
    const expiration = seconds(fields.expirationTime);
    if (expiration !== undefined && expiration <= at)
      fail("unauthenticated", "message_expired", `the message expired at ${fields.expirationTime!.toISOString()}`);
    const notBefore = seconds(fields.notBefore);
    if (notBefore !== undefined && notBefore > at)
      fail("unauthenticated", "not_yet_valid", `the message is valid from ${fields.notBefore!.toISOString()}`);
    const issuedAt = seconds(fields.issuedAt);
    if (issuedAt !== undefined && issuedAt > at + CLOCK_SKEW_SECONDS)
      fail("unauthenticated", "issued_in_future", "the message's Issued At is in the future");

    const valid = await verifySiweMessage(options.chain.client, {
      message: message as string,
      signature: signature as Hex,
      domain: domain!,
      nonce: nonce!,
      time: new Date(at * 1000),
    }).catch(() => false);
    if (!valid)
      fail("unauthenticated", "bad_signature", `the signature is not ${address}'s (an account's key, or its EIP-1271 wallet contract)`);

    const token = randomBytes(32).toString("base64url");
    const expiresAt = Math.min(at + options.sessionTtlSeconds, expiration ?? Number.MAX_SAFE_INTEGER);
    const account = getAddress(address!);
    insertSession.run(hashToken(token), account, chainId!, expiresAt);
    return { token, address: account, expiresAt };
  };

  /** The session a request's `Authorization: Bearer …` header opens. */
  const authenticate = (authorization: string | undefined): Session => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (!token)
      return fail("unauthenticated", "unauthenticated", "sign in first: send Authorization: Bearer <token> from POST /auth/verify");
    const row = findSession.get(hashToken(token)) as { address: Address; expires_at: number } | undefined;
    if (!row) return fail("unauthenticated", "unknown_session", "this session token is not valid (signed out, or never issued)");
    if (row.expires_at <= now()) {
      deleteSession.run(hashToken(token));
      return fail("unauthenticated", "session_expired", "this session has expired: sign in again");
    }
    return { address: row.address, expiresAt: row.expires_at };
  };

  const signOut = (authorization: string | undefined) => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (token) deleteSession.run(hashToken(token));
  };

  return { issueNonce, signIn, authenticate, signOut };
}

export type Auth = ReturnType<typeof createAuth>;
