/**
 * Reads a multipart/form-data request as it streams in (busboy): at most `maxFiles` file parts, each
 * kept in memory up to `maxFileBytes` + 1 bytes (enough to tell it is too large) and discarded beyond,
 * so a request never holds more than maxFiles × maxFileBytes. A body far past that is cut off.
 */
import type { IncomingMessage } from "node:http";
import busboy from "busboy";
import { AttestorError, fail } from "@provena/runtime";

export type ReceivedFile = { index: number; field: string; name: string; bytes: Uint8Array; tooLarge: boolean };

/** Room for part headers and form fields beside the files' bytes. */
const OVERHEAD_PER_PART = 16_384;

export async function readMultipart(request: IncomingMessage, limits: { maxFiles: number; maxFileBytes: number }): Promise<ReceivedFile[]> {
  const type = request.headers["content-type"] ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type))
    fail("unsupported_media", "not_multipart", "send the files as multipart/form-data, one part per file");
  const maxBody = (limits.maxFiles + 1) * (limits.maxFileBytes + OVERHEAD_PER_PART);
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > maxBody) {
    fail(
      "too_large",
      "upload_too_large",
      `the request is ${declared} bytes: an upload holds at most ${limits.maxFiles} files of ${limits.maxFileBytes} bytes`,
    );
  }

  return new Promise<ReceivedFile[]>((resolve, reject) => {
    const files: ReceivedFile[] = [];
    const pending: Promise<void>[] = [];
    let refused: Error | undefined;
    let received = 0;
    let count = 0;
    const parser = busboy({
      headers: request.headers,
      limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes + 1, fields: 16, fieldSize: 1_024, parts: limits.maxFiles + 16 },
    });
    const refuse = (error: unknown) => {
      refused ??= error as Error;
    };
    parser.on("file", (field, stream, info) => {
      const index = count++;
      pending.push(
        new Promise<void>((done) => {
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("error", (error) => {
            refuse(error);
            done();
          });
          stream.on("end", () => {
            const bytes = Buffer.concat(chunks);
            files.push({
              index,
              field,
              name: info.filename ?? `file ${index + 1}`,
              bytes,
              tooLarge: stream.truncated || bytes.length > limits.maxFileBytes,
            });
            done();
          });
        }),
      );
    });
    parser.on("filesLimit", () =>
      refuse(new AttestorError("too_large", "too_many_files", `an upload holds at most ${limits.maxFiles} files`)),
    );
    parser.on("partsLimit", () => refuse(new AttestorError("too_large", "too_many_parts", "the form has too many parts")));
    parser.on("error", (error) =>
      reject(new AttestorError("invalid", "malformed_multipart", `the multipart body could not be read: ${(error as Error).message}`)),
    );
    parser.on("close", () => {
      void Promise.all(pending).then(() => {
        if (refused) return reject(refused);
        resolve(files.sort((a, b) => a.index - b.index));
      });
    });
    request.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBody) {
        request.unpipe(parser);
        request.resume();
        reject(
          new AttestorError(
            "too_large",
            "upload_too_large",
            `the request passed ${maxBody} bytes: an upload holds at most ${limits.maxFiles} files of ${limits.maxFileBytes} bytes`,
          ),
        );
      }
    });
    request.on("aborted", () => reject(new Error("the client closed the connection mid-upload")));
    request.pipe(parser);
  });
}
