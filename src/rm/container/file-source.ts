// A read-only view of a set of files (a folder on disk, or a zip archive), addressed by
// normalised relative paths with "/" separators. Listing is synchronous (computed once when
// the source is opened); reading is lazy so a library never holds every page in memory.

export interface FileSource {
  /** Human-readable origin (folder path or archive file name), used in errors. */
  readonly label: string;
  /** Every file path in the source, normalised (no leading "/", no "//", no "..", no directories). */
  list(): string[];
  /**
   * The bytes of one file, or undefined when it does not exist. With `maxBytes`, a larger file
   * is rejected with RmFormatError "too_large" before it is read or inflated.
   */
  read(path: string, maxBytes?: number): Promise<Uint8Array | undefined>;
  /**
   * The bytes of one file as a sequence of chunks (never the whole file in memory), or undefined
   * when it does not exist; `maxBytes` as for `read`. Optional: sources without it are read whole.
   */
  stream?(path: string, maxBytes?: number): Iterable<Uint8Array> | undefined;
  /** The file's (declared) size without reading it, or undefined when it does not exist. */
  size?(path: string): number | undefined;
}
