/**
 * Near-duplicate lookups per Datanet, over the attestor's database: text by MinHash with LSH band keys
 * (candidates share a band, then the signatures are compared), images by perceptual hash (Hamming
 * distance over the Datanet's hashes). Content is indexed when uploaded (owned by its uploader until it is
 * seen on chain) and when the validator sees it on chain, and forgotten when an upload is unpinned without
 * reaching the chain. An upload not yet contributed stands in the way of its uploader's own near copies,
 * and of others' once it is on chain: a stranger's uploads that never reach the chain keep nobody's out.
 */
import type { Db } from "./db.js";
import { bandKeys, type Fingerprint, hammingDistance, hashHex, type NearThresholds, similarity } from "@provena/content";

export type NearMatch = { sha256: string; kind: "text"; similarity: number } | { sha256: string; kind: "image"; distanceBits: number };

const signatureBytes = (signature: Uint32Array) => new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength);
const signatureOf = (blob: Uint8Array) => new Uint32Array(new Uint8Array(blob).buffer);

/** Indexed content within the thresholds, other than `sha256` itself, closest first; `owner` is null once on chain. */
export function nearMatches(
  db: Db,
  datanetId: bigint,
  sha256: string,
  fingerprint: Fingerprint,
  thresholds: NearThresholds,
): (NearMatch & { owner: string | null })[] {
  if (fingerprint.kind === "text") {
    const keys = bandKeys(fingerprint.signature);
    const candidates = db
      .prepare(
        `SELECT DISTINCT s.sha256, s.signature, s.owner FROM text_band b JOIN text_signature s ON s.datanet_id = b.datanet_id AND s.sha256 = b.sha256
         WHERE b.datanet_id = ? AND b.band IN (${keys.map(() => "?").join(",")}) AND b.sha256 != ?`,
      )
      .all(datanetId, ...keys, sha256) as { sha256: string; signature: Uint8Array; owner: string | null }[];
    return candidates
      .map((candidate) => ({
        sha256: candidate.sha256,
        kind: "text" as const,
        similarity: similarity(fingerprint.signature, signatureOf(candidate.signature)),
        owner: candidate.owner,
      }))
      .filter((match) => match.similarity >= thresholds.textSimilarity)
      .sort((a, b) => b.similarity - a.similarity);
  }
  const matches: (NearMatch & { kind: "image"; owner: string | null })[] = [];
  // A scan of 64-bit values: ~10 ms per 100k images in a Datanet.
  for (const row of db
    .prepare("SELECT sha256, hash, owner FROM image_hash WHERE datanet_id = ? AND sha256 != ?")
    .iterate(datanetId, sha256) as Iterable<{ sha256: string; hash: string; owner: string | null }>) {
    const distance = hammingDistance(fingerprint.hash, BigInt(`0x${row.hash}`));
    if (distance <= thresholds.imageDistanceBits)
      matches.push({ sha256: row.sha256, kind: "image", distanceBits: distance, owner: row.owner });
  }
  return matches.sort((a, b) => a.distanceBits - b.distanceBits);
}

/** The closest content on chain within the thresholds, other than `sha256` itself. */
export function findNear(
  db: Db,
  datanetId: bigint,
  sha256: string,
  fingerprint: Fingerprint,
  thresholds: NearThresholds,
): NearMatch | undefined {
  const match = nearMatches(db, datanetId, sha256, fingerprint, thresholds).find((m) => m.owner === null);
  if (!match) return undefined;
  const { owner: _, ...near } = match;
  return near;
}

/**
 * Indexes content: `uploader`'s upload not yet contributed, or (no uploader) content on chain, which it
 * stays once it is, whoever indexes it again.
 */
export function indexFingerprint(db: Db, datanetId: bigint, sha256: string, fingerprint: Fingerprint, uploader?: string): void {
  const owner = uploader?.toLowerCase() ?? null;
  // On chain wins: an upload of content already indexed as on chain leaves it so.
  const keep = owner === null ? "ON CONFLICT DO UPDATE SET owner = NULL" : "ON CONFLICT DO NOTHING";
  if (fingerprint.kind === "text") {
    db.prepare(`INSERT INTO text_signature (datanet_id, sha256, signature, owner) VALUES (?, ?, ?, ?) ${keep}`).run(
      datanetId,
      sha256,
      signatureBytes(fingerprint.signature),
      owner,
    );
    const band = db.prepare("INSERT OR IGNORE INTO text_band (datanet_id, band, sha256) VALUES (?, ?, ?)");
    for (const key of bandKeys(fingerprint.signature)) band.run(datanetId, key, sha256);
  } else {
    db.prepare(`INSERT INTO image_hash (datanet_id, sha256, hash, owner) VALUES (?, ?, ?, ?) ${keep}`).run(
      datanetId,
      sha256,
      hashHex(fingerprint.hash),
      owner,
    );
  }
}

/** Content an upload held is now on chain: it stands in everyone's way from now on. */
export function confirmFingerprint(db: Db, datanetId: bigint, sha256: string): void {
  for (const table of ["text_signature", "image_hash"]) {
    db.prepare(`UPDATE ${table} SET owner = NULL WHERE datanet_id = ? AND sha256 = ?`).run(datanetId, sha256);
  }
}

export function forgetFingerprint(db: Db, datanetId: bigint, sha256: string): void {
  for (const table of ["text_band", "text_signature", "image_hash"]) {
    db.prepare(`DELETE FROM ${table} WHERE datanet_id = ? AND sha256 = ?`).run(datanetId, sha256);
  }
}
