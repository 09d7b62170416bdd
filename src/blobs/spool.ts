// A temp file written chunk by chunk with every write awaited, so a full disk (ENOSPC) is an
// error the caller catches — not a rejected write nobody awaits, which ends the process (Bun's
// FileSink reports write errors asynchronously). finish() fsyncs before the caller acknowledges.
import { open, rm, type FileHandle } from "node:fs/promises";

export class SpoolFile {
  private closed = false;
  bytes = 0;

  private constructor(readonly path: string, private readonly fh: FileHandle) {}

  static async create(path: string): Promise<SpoolFile> {
    return new SpoolFile(path, await open(path, "wx", 0o600));
  }

  async write(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.byteLength) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.byteLength - off);
      off += bytesWritten;
    }
    this.bytes += chunk.byteLength;
  }

  /** Flush to the disk and close; the file stays for the caller to move into place. */
  async finish(): Promise<void> {
    await this.fh.sync();
    await this.close();
  }

  /** Close (if still open) and remove the file. Never throws. */
  async discard(): Promise<void> {
    await this.close().catch(() => {});
    await rm(this.path, { force: true }).catch(() => {});
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}
