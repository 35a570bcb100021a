/** A body (a request's or a response's) read whole, or `tooLarge()` thrown once it passes `limit` bytes, declared or read. */
export async function readBounded(
  body: { headers: Headers; body: ReadableStream<Uint8Array> | null },
  limit: number,
  tooLarge: (declared?: number) => Error,
): Promise<Uint8Array> {
  const declared = Number(body.headers.get("content-length") ?? 0);
  if (declared > limit) {
    await body.body?.cancel();
    throw tooLarge(declared);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body.body ?? []) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
