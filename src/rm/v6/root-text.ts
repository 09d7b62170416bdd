// The RootText block (0x07): the page's typed text as a CRDT string plus paragraph styles,
// rm-format.md §5.8. This reads the raw items; text.ts turns them into paragraphs.

import type { ByteReader } from "../bytes.ts";
import { RmFormatError } from "../errors.ts";
import { LIMITS } from "../limits.ts";
import {
  type CrdtId,
  TagType,
  expectTag,
  idField,
  idKey,
  inLength,
  inSubBlock,
  readFields,
  readRawId,
  readStringBody,
  tryReadTag,
  u32Field,
} from "./tagged.ts";

export interface RawTextItem {
  id: CrdtId;
  left: CrdtId;
  right: CrdtId;
  deleted: number;
  text: string;
  format?: number;
}

export interface RawRootText {
  items: RawTextItem[];
  /** newline char id key → paragraph style code */
  styles: Map<string, number>;
  posX: number;
  posY: number;
  width: number;
}

export function readRootText(r: ByteReader): RawRootText {
  idField(r, 1, "root text block id");
  const out: RawRootText = { items: [], styles: new Map(), posX: 0, posY: 0, width: 0 };
  inSubBlock(r, 2, "text document", (doc) => {
    inSubBlock(doc, 1, "text items", (a) => inSubBlock(a, 1, "text item list", (l) => readTextItems(l, out.items)));
    inSubBlock(doc, 2, "text styles", (a) => inSubBlock(a, 1, "text style list", (l) => readStyles(l, out.styles)));
  });
  inSubBlock(r, 3, "text position", (p) => {
    out.posX = p.f64("text x");
    out.posY = p.f64("text y");
  });
  expectTag(r, 4, TagType.Byte4, "text width");
  out.width = r.f32("text width");
  readFields(r, () => false); // field 5 (LWW width) and anything newer
  return out;
}

function readTextItems(r: ByteReader, into: RawTextItem[]): void {
  const n = r.varuint("text item count");
  if (n > r.remaining) r.fail(`${n} text items`, `only ${r.remaining} bytes left`);
  let slots = 0;
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    expectTag(r, 0, TagType.Length4, "text item");
    inLength(r, "text item", (s) => {
      const id = idField(s, 2, "text item id");
      const left = idField(s, 3, "text item left id");
      const right = idField(s, 4, "text item right id");
      const deleted = u32Field(s, 5, "text item deleted length");
      const item: RawTextItem = { id, left, right, deleted, text: "" };
      const t = s.remaining > 0 ? tryReadTag(s) : undefined;
      if (t) {
        if (t.index === 6 && t.type === TagType.Length4) {
          const v = inLength(s, "text item value", (x) => readStringBody(x, "text item value"));
          item.text = v.text;
          if (v.format !== undefined) item.format = v.format;
        }
      }
      slots += item.text ? item.text.length : Math.max(item.deleted, 1);
      if (slots > LIMITS.maxTextSlots) {
        throw new RmFormatError("too_large", r.file, at, `at most ${LIMITS.maxTextSlots} text characters per page`, `text item claims ${item.deleted} deleted characters`);
      }
      into.push(item);
    });
  }
}

function readStyles(r: ByteReader, into: Map<string, number>): void {
  const n = r.varuint("style count");
  if (n > r.remaining) r.fail(`${n} paragraph styles`, `only ${r.remaining} bytes left`);
  for (let i = 0; i < n; i++) {
    const charId = readRawId(r, "style character id");
    idField(r, 1, "style timestamp");
    const style = inSubBlock(r, 2, "style value", (s) => {
      s.u8("style marker");
      return s.u8("style code");
    });
    into.set(idKey(charId), style);
  }
}
