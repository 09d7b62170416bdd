// A bounds-checked little-endian cursor over a byte array. Every read checks against the
// current limit (the end of the file, or of the sub-block being read) and throws an
// RmFormatError naming the file, the offset and what was expected. No read can run past
// the data, so no input can make a parser loop forever or read garbage memory.

import { RmFormatError } from "./errors.ts";

const TEXT = new TextDecoder("utf-8", { fatal: false });

export class ByteReader {
  readonly view: DataView;
  pos: number;
  /** Exclusive limit of the region being read (file end or sub-block end). */
  end: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    start = 0,
    end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(expected: string, detail?: string, offset = this.pos): never {
    throw new RmFormatError("corrupt", this.file, offset, expected, detail);
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      const inFile = this.end === this.bytes.length;
      throw new RmFormatError(
        "truncated",
        this.file,
        this.pos,
        what,
        `needs ${n} bytes, ${this.remaining} left in ${inFile ? "file" : "block"}`,
      );
    }
  }

  u8(what = "u8"): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(what = "u16"): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(what = "u32"): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(what = "i32"): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f32(what = "f32"): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(what = "f64"): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Unsigned LEB128, exact up to 2^53 (CRDT counters reach 2^48). */
  varuint(what = "varuint"): number {
    let result = 0;
    let mul = 1;
    const start = this.pos;
    for (let i = 0; i < 8; i++) {
      const b = this.u8(what);
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    return this.fail(what, "varint longer than 8 bytes", start);
  }

  bytesView(n: number, what = "bytes"): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  utf8(n: number, what = "utf-8 text"): string {
    return TEXT.decode(this.bytesView(n, what));
  }

  skip(n: number, what = "bytes to skip"): void {
    this.need(n, what);
    this.pos += n;
  }

  /**
   * Narrow the readable region to the next `len` bytes. Returns the previous limit, which must be
   * passed to `leave` to restore it; `leave` also jumps to the end of the sub-region whatever was read,
   * so unknown trailing fields written by newer firmware are skipped by length.
   */
  enter(len: number, what: string): { end: number; outer: number } {
    this.need(len, what);
    const outer = this.end;
    this.end = this.pos + len;
    return { end: this.end, outer };
  }

  leave(region: { end: number; outer: number }): number {
    const skipped = region.end - this.pos;
    this.pos = region.end;
    this.end = region.outer;
    return skipped;
  }
}
