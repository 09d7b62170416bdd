// Group structure blocks: SceneTree (0x01), TreeNode (0x02) and SceneInfo (0x0D),
// rm-format.md §5.4.

import type { ByteReader } from "../bytes.ts";
import { LIMITS } from "../limits.ts";
import type { Anchor } from "../model.ts";
import {
  type CrdtId,
  TagType,
  idField,
  idKey,
  inLength,
  inSubBlock,
  lwwField,
  readFields,
  readRawId,
  readStringBody,
} from "./tagged.ts";

export interface SceneTreeBlock {
  treeId: CrdtId;
  parentId: CrdtId;
}

export function readSceneTree(r: ByteReader): SceneTreeBlock {
  const treeId = idField(r, 1, "scene tree id");
  idField(r, 2, "scene tree node id");
  // field 3: isUpdate (Byte1); field 4: sub-block with the parent id
  let parentId: CrdtId = { a: 0, c: 1 };
  readFields(r, (t) => {
    if (t.index !== 4 || t.type !== TagType.Length4) return false;
    parentId = inLength(r, "scene tree parent", (s) => idField(s, 1, "scene tree parent id"));
    return true;
  });
  return { treeId, parentId };
}

export interface TreeNodeBlock {
  nodeId: CrdtId;
  label?: string;
  visible?: boolean;
  anchor?: Partial<Anchor>;
}

export function readTreeNode(r: ByteReader): TreeNodeBlock {
  const node: TreeNodeBlock = { nodeId: idField(r, 1, "tree node id") };
  const anchor: Partial<Anchor> = {};
  readFields(r, (t) => {
    if (t.type !== TagType.Length4 || t.index < 2 || t.index > 10 || (t.index > 3 && t.index < 7)) return false;
    r.pos = t.at; // re-read the tag inside the LWW helpers
    switch (t.index) {
      case 2:
        node.label = lwwField(r, 2, "layer label", (s, type) => (type === TagType.Length4 ? inLength(s, "layer label", (x) => readStringBody(x, "layer label").text) : ""));
        break;
      case 3:
        node.visible = lwwField(r, 3, "layer visibility", (s) => s.u8("visible flag") !== 0);
        break;
      case 7:
        anchor.id = lwwField(r, 7, "anchor id", (s) => idKey(readRawId(s, "anchor id")));
        break;
      case 8:
        anchor.type = lwwField(r, 8, "anchor type", (s) => s.u8("anchor type"));
        break;
      case 9:
        anchor.threshold = lwwField(r, 9, "anchor threshold", (s) => s.f32("anchor threshold"));
        break;
      case 10:
        anchor.originX = lwwField(r, 10, "anchor origin x", (s) => s.f32("anchor origin x"));
        break;
    }
    return true;
  });
  if (anchor.id !== undefined) node.anchor = anchor;
  return node;
}

export interface SceneInfoBlock {
  paperSize?: { width: number; height: number };
}

export function readSceneInfo(r: ByteReader): SceneInfoBlock {
  const info: SceneInfoBlock = {};
  readFields(r, (t) => {
    if (t.index !== 5 || t.type !== TagType.Length4) return false;
    r.pos = t.at;
    info.paperSize = inSubBlock(r, 5, "paper size", (s) => {
      const at = s.pos;
      const size = { width: s.u32("paper width"), height: s.u32("paper height") };
      const ok = (v: number) => v >= 1 && v <= LIMITS.maxPaperUnits;
      if (!ok(size.width) || !ok(size.height)) s.fail(`a paper size of 1…${LIMITS.maxPaperUnits} units`, `found ${size.width} × ${size.height}`, at);
      return size;
    });
    return true;
  });
  return info;
}
