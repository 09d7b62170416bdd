// Typed text: expand the root text's runs into one slot per character (each with its implicit id),
// order the slots as a CRDT sequence and walk them into paragraphs with styles and inline bold/italic
// (rm-format.md §5.8 "Text extraction algorithm").

import { ParagraphStyle, type Paragraph, type TextDoc, type TextSpan } from "../model.ts";
import { crdtOrder, type SeqItem } from "./crdt.ts";
import type { RawRootText } from "./root-text.ts";
import { idKey } from "./tagged.ts";

interface Slot extends SeqItem {
  ch: string; // "" for deleted or format slots
  deleted: boolean;
  format?: number;
}

const FIRST = "0:0";

function expand(raw: RawRootText): Slot[] {
  const slots: Slot[] = [];
  for (const item of raw.items) {
    const a = item.id.a;
    const base = item.id.c;
    const leftKey = idKey(item.left);
    const rightKey = idKey(item.right);
    if (item.format !== undefined && item.text === "") {
      slots.push({ a, c: base, key: idKey(item.id), leftKey, rightKey, ch: "", deleted: item.deleted > 0, format: item.format });
      continue;
    }
    const chars = item.deleted > 0 && item.text === "" ? null : [...item.text];
    const len = chars ? chars.length : item.deleted;
    for (let k = 0; k < len; k++) {
      const c = base + k;
      slots.push({
        a,
        c,
        key: `${a}:${c}`,
        leftKey: k === 0 ? leftKey : `${a}:${c - 1}`,
        rightKey: k === len - 1 ? rightKey : `${a}:${c + 1}`,
        ch: chars ? chars[k]! : "",
        deleted: item.deleted > 0,
      });
    }
  }
  return slots;
}

export function buildText(raw: RawRootText): TextDoc {
  const ordered = crdtOrder(expand(raw));
  const paragraphs: Paragraph[] = [];
  const anchors = new Map<string, number>();
  const anchorOffsets = new Map<string, number>();
  let offset = 0;
  let bold = false;
  let italic = false;
  let startId = FIRST;
  let spans: TextSpan[] = [];
  let buf = "";
  const flush = () => {
    if (buf) spans.push({ text: buf, bold, italic });
    buf = "";
  };
  const close = (nextStart: string) => {
    flush();
    paragraphs.push({ style: raw.styles.get(startId) ?? ParagraphStyle.PLAIN, startId, spans });
    spans = [];
    startId = nextStart;
    offset = 0;
  };
  for (const s of ordered) {
    anchors.set(s.key, paragraphs.length);
    anchorOffsets.set(s.key, offset);
    if (s.deleted) continue;
    if (s.format !== undefined) {
      flush();
      if (s.format === 1) bold = true;
      else if (s.format === 2) bold = false;
      else if (s.format === 3) italic = true;
      else if (s.format === 4) italic = false;
      continue;
    }
    if (s.ch === "\n") close(s.key);
    else {
      buf += s.ch;
      offset++;
    }
  }
  // A final newline does not open an empty last paragraph; empty text has no paragraphs.
  if (buf || spans.length > 0) close(FIRST);
  return { posX: raw.posX, posY: raw.posY, width: raw.width, paragraphs, anchors, anchorOffsets };
}
