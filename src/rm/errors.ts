// Typed errors for everything the format core rejects. Each names the file, the byte offset
// (or JSON path) and what was expected, so a user can tell exactly which file is bad and why.

export type RmErrorCode =
  | "truncated" // ran out of bytes
  | "bad_header" // not a .rm file, or an unsupported version
  | "corrupt" // structurally impossible values (lengths, counts)
  | "too_large" // over a safety limit (file size, point count, zip entry)
  | "bad_json" // .metadata / .content / -metadata.json not valid
  | "bad_container" // zip / folder layout problems
  | "not_found"; // a referenced file is missing

export class RmFormatError extends Error {
  override readonly name = "RmFormatError";
  constructor(
    readonly code: RmErrorCode,
    /** File name (or path inside an archive) the error is about. */
    readonly file: string,
    /** Byte offset in that file, or -1 when not applicable. */
    readonly offset: number,
    /** What the reader expected to find. */
    readonly expected: string,
    detail?: string,
  ) {
    const where = offset >= 0 ? ` at offset ${offset}` : "";
    super(`${file}${where}: expected ${expected}${detail ? ` (${detail})` : ""}`);
  }
}

export function isRmFormatError(e: unknown): e is RmFormatError {
  return e instanceof RmFormatError;
}
