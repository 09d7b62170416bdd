// Tagged values of the v6 format (rm-format.md §5.2): every field is `varuint((index << 4) | type)`
// followed by a payload whose size is known from the type. Unknown fields can therefore always be
// skipped, which is how we stay compatible with newer firmware.

import type { ByteReader } from "../bytes.ts";
import { RmFormatError } from "../errors.ts";

export const TagType = {
  Byte1: 0x1,
  Byte4: 0x4,
  Byte8: 0x8,
  Length4: 0xc,
  ID: 0xf,
} as const;

export interface CrdtId {
  a: number;
  c: number;
}

export const ZERO_ID: CrdtId = { a: 0, c: 0 };

export function idKey(id: CrdtId): string {
  return `${id.a}:${id.c}`;
}

export function isZero(id: CrdtId): boolean {
  return id.a === 0 && id.c === 0;
}

export interface Tag {
  index: number;
  type: number;
  /** Offset of the tag itself, for error messages. */
  at: number;
}

export function readTag(r: ByteReader): Tag {
  const at = r.pos;
  const v = r.varuint("field tag");
  return { index: Math.floor(v / 16), type: v % 16, at };
}

/**
 * The next tag, or undefined when none can be read here (an over-long varint, a tag cut by the
 * region's end). Used where a structure may end in fields of newer firmware: what cannot be read
 * there is skipped by the enclosing length, never an error.
 */
export function tryReadTag(r: ByteReader): Tag | undefined {
  const at = r.pos;
  try {
    return readTag(r);
  } catch (e) {
    if (!(e instanceof RmFormatError)) throw e;
    r.pos = at;
    return undefined;
  }
}

/**
 * Walks the fields up to the end of the current region. `known` reads a field it recognises and
 * returns true (its errors are real errors); any other field is skipped by its type's size. A tag or
 * unknown payload that cannot be read (an undecodable varint, a length past the region, a tag type
 * this reader does not know) ends the walk: what was read is kept and the rest of the region is
 * skipped by its length (rm-format.md §5.1, forward compatibility).
 */
export function readFields(r: ByteReader, known: (t: Tag) => boolean): void {
  while (r.remaining > 0) {
    const t = tryReadTag(r);
    if (!t) return;
    if (known(t)) continue;
    if (!trySkipPayload(r, t.type)) return;
  }
}

/** skipPayload that reports an unreadable payload as false instead of throwing. */
export function trySkipPayload(r: ByteReader, type: number): boolean {
  const at = r.pos;
  try {
    return skipPayload(r, type);
  } catch (e) {
    if (!(e instanceof RmFormatError)) throw e;
    r.pos = at;
    return false;
  }
}

/** True when the next field in the current region has this index and type (does not consume it). */
export function peekTag(r: ByteReader, index: number, type: number): boolean {
  if (r.remaining <= 0) return false;
  const save = r.pos;
  try {
    const t = readTag(r);
    return t.index === index && t.type === type;
  } catch {
    return false;
  } finally {
    r.pos = save;
  }
}

/** Reads the next tag and checks it is the expected one. */
export function expectTag(r: ByteReader, index: number, type: number, what: string): void {
  const t = readTag(r);
  if (t.index !== index || t.type !== type) {
    r.fail(`${what} (field ${index} type 0x${type.toString(16)})`, `found field ${t.index} type 0x${t.type.toString(16)}`, t.at);
  }
}

export function readRawId(r: ByteReader, what = "crdt id"): CrdtId {
  const a = r.u8(what);
  const c = r.varuint(what);
  return { a, c };
}

/** Skips the payload of a field of the given type; false when the type is not a known one. */
export function skipPayload(r: ByteReader, type: number): boolean {
  switch (type) {
    case TagType.Byte1:
      r.skip(1);
      return true;
    case TagType.Byte4:
      r.skip(4);
      return true;
    case TagType.Byte8:
      r.skip(8);
      return true;
    case TagType.Length4: {
      const len = r.u32("sub-block length");
      r.skip(len, "sub-block body");
      return true;
    }
    case TagType.ID:
      readRawId(r);
      return true;
    default:
      return false;
  }
}

// Field readers that check index and type.

export function idField(r: ByteReader, index: number, what: string): CrdtId {
  expectTag(r, index, TagType.ID, what);
  return readRawId(r, what);
}

export function u32Field(r: ByteReader, index: number, what: string): number {
  expectTag(r, index, TagType.Byte4, what);
  return r.u32(what);
}

export function byteField(r: ByteReader, index: number, what: string): number {
  expectTag(r, index, TagType.Byte1, what);
  return r.u8(what);
}

/** Runs `fn` inside a Length4 sub-block; the reader always ends at the sub-block's end. */
export function inSubBlock<T>(r: ByteReader, index: number, what: string, fn: (r: ByteReader) => T): T {
  expectTag(r, index, TagType.Length4, what);
  return inLength(r, what, fn);
}

/** Same, for a sub-block whose tag was already consumed. */
export function inLength<T>(r: ByteReader, what: string, fn: (r: ByteReader) => T): T {
  const len = r.u32(`${what} length`);
  const region = r.enter(len, what);
  try {
    return fn(r);
  } finally {
    r.leave(region);
  }
}

/** A String sub-block body: varuint length, u8 flag, utf-8 bytes, optional `2 Byte4` format code. */
export function readStringBody(r: ByteReader, what: string): { text: string; format?: number } {
  const n = r.varuint(`${what} length`);
  r.u8(`${what} flag`);
  const text = r.utf8(n, what);
  if (peekTag(r, 2, TagType.Byte4)) {
    readTag(r);
    return { text, format: r.u32(`${what} format code`) };
  }
  return { text };
}

/** Last-writer-wins register: sub-block { 1 ID timestamp, 2 value }; `value` reads the value field's payload. */
export function lwwField<T>(r: ByteReader, index: number, what: string, value: (r: ByteReader, type: number) => T): T {
  return inSubBlock(r, index, what, (s) => {
    idField(s, 1, `${what} timestamp`);
    const t = readTag(s);
    if (t.index !== 2) s.fail(`${what} value (field 2)`, `found field ${t.index}`, t.at);
    return value(s, t.type);
  });
}
