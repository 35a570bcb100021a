/** Reading binary headers: the small helpers every sniffer shares. */

const decoder = new TextDecoder("latin1");

/** Bytes as a string of one character per byte, so string offsets are byte offsets. */
export const latin1 = (bytes: Uint8Array): string => decoder.decode(bytes);

/** `length` bytes at `at` as text (signatures, chunk names), or "" when they run past the end. */
export const ascii = (bytes: Uint8Array, at: number, length: number): string =>
  at >= 0 && at + length <= bytes.length ? latin1(bytes.subarray(at, at + length)) : "";

/** A DataView over exactly these bytes (a Uint8Array may be a window on a larger buffer). */
export const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
