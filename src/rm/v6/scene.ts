// Replays v6 blocks into the scene tree (rm-format.md §5.7): groups are created lazily (a TreeNode
// may come before its SceneTree), each group's children are a CRDT sequence ordered once at the
// end, deleted items anchor the order but are dropped, and the root's groups become the layers.

import type { Anchor, Group, SceneItem } from "../model.ts";
import { LIMITS } from "../limits.ts";
import { crdtOrder, type SeqItem } from "./crdt.ts";
import type { RawItem } from "./items.ts";
import type { TreeNodeBlock } from "./tree.ts";
import { type CrdtId, idKey } from "./tagged.ts";

export const ROOT_KEY = "0:1";

interface Child extends SeqItem {
  item: RawItem;
}

interface GroupState {
  key: string;
  label: string;
  visible: boolean;
  anchor?: Partial<Anchor>;
  children: Child[];
  seen: Set<string>;
}

export class SceneBuilder {
  private groups = new Map<string, GroupState>();
  deletedItems = 0;

  constructor() {
    this.group(ROOT_KEY);
  }

  private group(key: string): GroupState {
    let g = this.groups.get(key);
    if (!g) {
      g = { key, label: "", visible: true, children: [], seen: new Set() };
      this.groups.set(key, g);
    }
    return g;
  }

  declareGroup(id: CrdtId): void {
    this.group(idKey(id));
  }

  setNode(node: TreeNodeBlock): void {
    const g = this.group(idKey(node.nodeId));
    if (node.label !== undefined) g.label = node.label;
    if (node.visible !== undefined) g.visible = node.visible;
    if (node.anchor) g.anchor = { ...g.anchor, ...node.anchor };
  }

  addItem(item: RawItem): void {
    const g = this.group(idKey(item.parent));
    const key = idKey(item.id);
    if (g.seen.has(key)) return; // an id added twice only happens in corrupt files: first one wins
    g.seen.add(key);
    if (item.deleted > 0 || !item.value) this.deletedItems++;
    g.children.push({ a: item.id.a, c: item.id.c, key, leftKey: idKey(item.left), rightKey: idKey(item.right), item });
  }

  /** The ordered, live content of the root: its groups are the layers. */
  layers(): Group[] {
    const visiting = new Set<string>();
    const root = this.materialise(this.groups.get(ROOT_KEY)!, visiting, 0);
    const layers: Group[] = [];
    const loose: SceneItem[] = [];
    for (const child of root.children) {
      if (child.kind === "group") layers.push(child);
      else loose.push(child);
    }
    if (loose.length > 0) layers.unshift({ kind: "group", id: ROOT_KEY, label: "", visible: true, children: loose });
    return layers;
  }

  private materialise(g: GroupState, visiting: Set<string>, depth: number): Group {
    visiting.add(g.key);
    const out: Group = { kind: "group", id: g.key, label: g.label, visible: g.visible, children: [] };
    const anchor = completeAnchor(g.anchor);
    if (anchor) out.anchor = anchor;
    for (const child of crdtOrder(g.children)) {
      const { item } = child;
      if (item.deleted > 0 || !item.value) continue;
      const v = item.value;
      if (v.kind !== "groupRef") {
        out.children.push(v);
        continue;
      }
      const sub = this.groups.get(idKey(v.node));
      // guard against cycles and absurd depth in crafted files
      if (!sub || visiting.has(sub.key) || depth >= LIMITS.maxGroupDepth) continue;
      out.children.push(this.materialise(sub, visiting, depth + 1));
    }
    visiting.delete(g.key);
    return out;
  }
}

function completeAnchor(a: Partial<Anchor> | undefined): Anchor | undefined {
  if (!a || a.id === undefined) return undefined;
  return { id: a.id, type: a.type ?? 1, threshold: a.threshold ?? 0, originX: a.originX ?? 0 };
}
