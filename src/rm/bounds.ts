// Coordinates read from a page file are untrusted (issue 12 item 7): a crafted point at 1e30 or a
// highlight rectangle a million units wide would make every renderer draw a page of that size.
// After parsing, everything drawn is kept inside ±LIMITS.maxCoord (rm-format.md §1.1 gives the
// real page sizes): points and rectangles beyond it are dropped, text positions clamped, and the
// page says so in its warnings.

import { LIMITS } from "./limits.ts";
import type { Group, Page } from "./model.ts";

const inRange = (v: number) => Number.isFinite(v) && v >= -LIMITS.maxCoord && v <= LIMITS.maxCoord;
const clamp = (v: number, lo: number, hi: number) => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : 0);

/** Drops ink outside the coordinate limit and clamps text placement; mutates and returns `page`. */
export function boundPage(page: Page): Page {
  let points = 0;
  let rects = 0;
  const walk = (g: Group) => {
    const keep: Group["children"] = [];
    for (const c of g.children) {
      if (c.kind === "group") {
        if (c.anchor && !inRange(c.anchor.originX)) c.anchor.originX = clamp(c.anchor.originX, -LIMITS.maxCoord, LIMITS.maxCoord);
        walk(c);
        keep.push(c);
      } else if (c.kind === "stroke") {
        const good = c.points.filter((p) => inRange(p.x) && inRange(p.y));
        points += c.points.length - good.length;
        if (good.length === 0 && c.points.length > 0) continue; // nothing of it is on any page
        if (good.length !== c.points.length) c.points = good;
        keep.push(c);
      } else {
        const good = c.rects.filter((r) => inRange(r.x) && inRange(r.y) && inRange(r.x + r.w) && inRange(r.y + r.h) && r.w >= 0 && r.h >= 0);
        rects += c.rects.length - good.length;
        if (good.length !== c.rects.length) c.rects = good;
        keep.push(c);
      }
    }
    if (keep.length !== g.children.length) g.children = keep;
  };
  page.layers.forEach(walk);
  if (page.text) {
    const t = page.text;
    t.posX = clamp(t.posX, -LIMITS.maxCoord, LIMITS.maxCoord);
    t.posY = clamp(t.posY, -LIMITS.maxCoord, LIMITS.maxCoord);
    t.width = clamp(t.width, 0, 2 * LIMITS.maxCoord);
  }
  const warnings: string[] = [];
  if (points > 0) warnings.push(`${points} point(s) beyond ±${LIMITS.maxCoord} units dropped`);
  if (rects > 0) warnings.push(`${rects} highlight rectangle(s) beyond ±${LIMITS.maxCoord} units dropped`);
  if (warnings.length > 0) page.warnings = [...(page.warnings ?? []), ...warnings];
  return page;
}
