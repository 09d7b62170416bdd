// Total order of a CRDT sequence (rm-format.md §5.7): every item was inserted between its left and
// right neighbours, so the order is a topological sort of `left < item < right`. Ids that are not in
// the sequence (including 0:0) stand for the virtual start/end. Among items available at the same
// time, the higher author number comes first, then the lower counter. Deleted items take part (they
// anchor their neighbours); callers drop them afterwards. A cycle (only in corrupt files) falls back
// to file order for whatever is left.

export interface SeqItem {
  a: number;
  c: number;
  key: string;
  leftKey: string;
  rightKey: string;
}

/** Binary heap ordered by (-author, counter). */
class ReadyHeap<T extends SeqItem> {
  private items: T[] = [];
  get size(): number {
    return this.items.length;
  }
  private before(x: T, y: T): boolean {
    return x.a !== y.a ? x.a > y.a : x.c < y.c;
  }
  push(v: T): void {
    const h = this.items;
    h.push(v);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

export function crdtOrder<T extends SeqItem>(items: readonly T[]): T[] {
  if (items.length <= 1) return items.slice();
  const byKey = new Map<string, number>();
  items.forEach((it, i) => {
    if (!byKey.has(it.key)) byKey.set(it.key, i);
  });
  const n = items.length;
  const indegree = new Int32Array(n);
  const next: number[][] = Array.from({ length: n }, () => []);
  const addEdge = (from: number, to: number) => {
    if (from === to) return;
    next[from]!.push(to);
    indegree[to]!++;
  };
  items.forEach((it, i) => {
    if (byKey.get(it.key) !== i) return; // duplicate id in a corrupt file: first one wins
    const l = byKey.get(it.leftKey);
    if (l !== undefined) addEdge(l, i);
    const r = byKey.get(it.rightKey);
    if (r !== undefined) addEdge(i, r);
  });

  const heap = new ReadyHeap<T & { _i?: number }>();
  const index = new Map<T, number>();
  items.forEach((it, i) => {
    index.set(it, i);
    if (byKey.get(it.key) === i && indegree[i] === 0) heap.push(it);
  });
  const out: T[] = [];
  const done = new Uint8Array(n);
  while (heap.size > 0) {
    const it = heap.pop()!;
    const i = index.get(it)!;
    done[i] = 1;
    out.push(it);
    for (const j of next[i]!) {
      if (--indegree[j]! === 0) heap.push(items[j]!);
    }
  }
  if (out.length < byKey.size) {
    items.forEach((it, i) => {
      if (!done[i] && byKey.get(it.key) === i) out.push(it);
    });
  }
  return out;
}
