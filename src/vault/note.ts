// One notebook's Markdown file in a vault (Obsidian, Logseq, any editor), and the rule that keeps
// the user's writing: rmirror owns only
//   - the frontmatter keys in OWNED_KEYS (other keys stay as the user wrote them), and
//   - the text between the BEGIN and END marker lines.
// Everything else in the file — notes above or below the region, extra frontmatter — survives
// every update. Pure: text in, text out.

export const BEGIN = "<!-- rmirror:begin (rewritten on every sync: write your own notes above or below this block) -->";
export const END = "<!-- rmirror:end -->";
export const OWNED_KEYS = ["uuid", "tags", "created", "modified", "pages", "source"] as const;

export type FrontValue = string | number | string[] | null;
export type Frontmatter = Partial<Record<(typeof OWNED_KEYS)[number], FrontValue>>;

/** A YAML scalar that is always read back as the same string (JSON strings are YAML double-quoted scalars). */
function yamlValue(v: FrontValue, indent = "  "): string {
  if (v === null) return " null";
  if (typeof v === "number") return ` ${v}`;
  if (Array.isArray(v)) return v.length ? `\n${v.map((x) => `${indent}- ${JSON.stringify(x)}`).join("\n")}` : " []";
  return ` ${JSON.stringify(v)}`;
}

function ownedLines(fm: Frontmatter): Map<string, string> {
  const out = new Map<string, string>();
  for (const k of OWNED_KEYS) if (k in fm) out.set(k, `${k}:${yamlValue(fm[k] ?? null)}`);
  return out;
}

const KEY_LINE = /^([A-Za-z0-9_][A-Za-z0-9_ -]*?)\s*:(\s|$)/;

/** Split a file into frontmatter lines (without the fences) and the rest; null frontmatter when there is none. */
export function splitFrontmatter(text: string): { front: string[] | null; body: string } {
  const t = text.replace(/^\uFEFF/, "");
  if (!/^---\r?\n/.test(t)) return { front: null, body: t };
  const lines = t.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === "---" || lines[i] === "...") return { front: lines.slice(1, i), body: lines.slice(i + 1).join("\n") };
  }
  return { front: null, body: t }; // an unclosed fence is not frontmatter
}

/** Frontmatter lines grouped per top-level key (a key line plus its indented / list continuation lines). */
function entries(front: string[]): { key: string | null; lines: string[] }[] {
  const out: { key: string | null; lines: string[] }[] = [];
  for (const line of front) {
    const m = KEY_LINE.exec(line);
    if (m && !/^\s/.test(line)) out.push({ key: m[1]!.trim(), lines: [line] });
    else if (out.length) out.at(-1)!.lines.push(line);
    else out.push({ key: null, lines: [line] });
  }
  return out;
}

/** The value of a top-level frontmatter key as a plain string (first line only), or null. */
export function frontmatterValue(text: string, key: string): string | null {
  const { front } = splitFrontmatter(text);
  if (!front) return null;
  const e = entries(front).find((x) => x.key === key);
  if (!e) return null;
  const raw = e.lines[0]!.slice(e.lines[0]!.indexOf(":") + 1).trim();
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw;
    }
  }
  return raw.replace(/^'(.*)'$/, "$1");
}

function mergeFront(front: string[] | null, fm: Frontmatter): string[] {
  const mine = ownedLines(fm);
  const kept: string[] = [];
  for (const e of entries(front ?? [])) {
    if (e.key !== null && mine.has(e.key)) {
      kept.push(mine.get(e.key)!); // our key, in the place the user left it
      mine.delete(e.key);
    } else kept.push(...e.lines);
  }
  for (const line of mine.values()) kept.push(line);
  return kept;
}

function region(body: string): string {
  return `${BEGIN}\n${body.replace(/\s+$/, "")}\n${END}`;
}

/**
 * The file's new text: `existing` (null for a new file) with rmirror's frontmatter keys and region
 * replaced by `fm` and `body`. Where the user removed the markers, the region is added at the end.
 */
export function mergeNote(existing: string | null, fm: Frontmatter, body: string): string {
  if (existing === null) return `---\n${mergeFront(null, fm).join("\n")}\n---\n\n${region(body)}\n`;
  const { front, body: rest } = splitFrontmatter(existing);
  const lines = rest.split("\n");
  const b = lines.findIndex((l) => l.startsWith("<!-- rmirror:begin"));
  const e = b < 0 ? -1 : lines.findIndex((l, i) => i > b && l.startsWith("<!-- rmirror:end"));
  let newRest: string;
  if (b >= 0 && e > b) newRest = [...lines.slice(0, b), region(body), ...lines.slice(e + 1)].join("\n");
  else newRest = `${rest.replace(/\s+$/, "")}${rest.trim() ? "\n\n" : "\n"}${region(body)}\n`;
  return `---\n${mergeFront(front, fm).join("\n")}\n---\n${newRest.startsWith("\n") ? "" : "\n"}${newRest}`;
}

/** Lower every ATX heading by `by` levels (capped at 6), outside fenced code, so a page's headings nest under its "## Page N". */
export function demoteHeadings(md: string, by: number): string {
  let fence: string | null = null;
  return md
    .split("\n")
    .map((line) => {
      const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
      if (f) {
        if (fence === null) fence = f[1]![0]!;
        else if (f[1]![0] === fence) fence = null;
        return line;
      }
      if (fence !== null) return line;
      const h = /^(\s{0,3})(#{1,6})(\s|$)/.exec(line);
      if (!h) return line;
      const level = Math.min(6, h[2]!.length + by);
      return `${h[1]}${"#".repeat(level)}${line.slice(h[1]!.length + h[2]!.length)}`;
    })
    .join("\n");
}
