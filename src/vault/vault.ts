// Keeps a folder of Markdown files (an Obsidian or Logseq vault, or any folder) in step with the
// server: one note per notebook in the tablet's folder hierarchy, page images beside them in
// `_rmirror/<uuid>/`. Used one-shot by `rmirror export markdown`, continuously by
// `rmirror agent --vault` and by the server's own export folder (RMIRROR_EXPORT_DIR). The user's writing is never lost:
//   - only rmirror's frontmatter keys and its marked region are rewritten (see note.ts);
//   - a note the user renamed or moved is found again by its `uuid` and updated where it is;
//     a notebook renamed or moved on the tablet moves its note only if the user has not;
//   - a notebook deleted on the tablet sends its note to the vault's `.trash/`, never deletes it.
// Only what changed is fetched: the Markdown's ETag, page hashes and image files already written.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { demoteHeadings, frontmatterValue, mergeNote, type Frontmatter } from "./note.ts";

export interface VaultOptions {
  /** The vault folder (created when missing). */
  dir: string;
  server: string;
  /** A device token; empty when `fetch` authenticates by itself (the server's own export folder). */
  token: string;
  /** Page images as PNG (default) or SVG. */
  images?: "png" | "svg";
  /** For tests: how requests are made (default: global fetch). */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
}

export interface VaultReport {
  written: string[];
  unchanged: number;
  moved: { from: string; to: string }[];
  trashed: string[];
  failed: { name: string; error: string }[];
}

interface DocState {
  /** The note's path relative to the vault, where rmirror last wrote it. */
  path: string;
  /** The path the tablet's name and folder gave it then (a rename on the tablet moves the note only if the user left it there). */
  target: string;
  etag: string | null;
  fingerprint: string;
}

interface State {
  version: 1;
  server: string;
  docs: Record<string, DocState>;
  /** The change feed's cursor the vault is up to date with (the live mirror, mirrorVault). */
  cursor?: string | null;
}

interface DocSummary {
  uuid: string;
  type: "document" | "folder";
  name: string;
  parent: string;
  fileType: string | null;
  tags: string[];
  pageCount: number | null;
  lastModified: string | null;
  created: string | null;
  updatedAt: string | null;
}

interface DocDetail extends DocSummary {
  pages: { id: string; idx: number; sha256: string | null; renderStatus: string }[];
}

const STATE_DIR = ".rmirror";
const ATTACH_DIR = "_rmirror";
const TRASH_DIR = ".trash";
const SKIP_DIRS = new Set([STATE_DIR, ATTACH_DIR, TRASH_DIR, ".obsidian", ".logseq", ".git", "node_modules"]);

export class VaultServerError extends Error {
  override readonly name = "VaultServerError";
}

/** A name safe as one path segment on every OS (names come from the tablet). */
export function safeSegment(name: string, fallback: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|#^[\]]/g, "_") // also Obsidian's link syntax characters
    .replace(/^[\s.]+|[\s.]+$/g, "")
    .slice(0, 120);
  return cleaned && !/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(cleaned) ? cleaned : fallback;
}

function api(opts: VaultOptions) {
  const f = opts.fetch ?? ((url: string, init?: RequestInit) => fetch(url, init));
  const base = opts.server.replace(/\/+$/, "");
  return async (path: string, headers: Record<string, string> = {}): Promise<Response> => {
    let res: Response;
    try {
      res = await f(`${base}${path}`, { headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...headers } });
    } catch (e) {
      throw new VaultServerError(`cannot reach ${base}: ${(e as Error).message}`);
    }
    if (res.status === 401) throw new VaultServerError(`the server refused the token (401): create a new device token on ${base}/devices`);
    if (res.status >= 500) throw new VaultServerError(`the server answered ${res.status} for ${path}`);
    return res;
  };
}

function readState(dir: string, server: string): State {
  try {
    const s = JSON.parse(readFileSync(join(dir, STATE_DIR, "vault.json"), "utf8")) as State;
    if (s.version === 1 && s.docs && typeof s.docs === "object") return s;
  } catch {
    /* first run, or unreadable: start over (notes are found again by their uuid) */
  }
  return { version: 1, server, docs: {} };
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.rmirror-tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Every note in the vault that carries a uuid in its frontmatter (found lazily, once per run). */
function noteIndex(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(n)) walk(p);
      } else if (n.endsWith(".md") && st.size < 5_000_000) {
        const uuid = frontmatterValue(readFileSync(p, "utf8").slice(0, 4096), "uuid");
        if (uuid) out.set(uuid.toLowerCase(), relative(dir, p));
      }
    }
  };
  walk(dir);
  return out;
}

/** Where each notebook's note belongs by the tablet's folders and names; clashes get a short uuid suffix. */
function targets(docs: DocSummary[], folders: Map<string, { name: string; parent: string }>): Map<string, string> {
  const folderPath = (uuid: string): string[] => {
    const out: string[] = [];
    const seen = new Set<string>();
    let cur = uuid;
    while (cur && cur !== "trash" && folders.has(cur) && !seen.has(cur)) {
      seen.add(cur);
      const f = folders.get(cur)!;
      out.unshift(safeSegment(f.name, cur.slice(0, 8)));
      cur = f.parent;
    }
    return out;
  };
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const d of [...docs].sort((a, b) => a.uuid.localeCompare(b.uuid))) {
    const folder = folderPath(d.parent);
    let rel = join(...folder, `${safeSegment(d.name, d.uuid)}.md`);
    if (taken.has(rel.toLowerCase())) rel = join(...folder, `${safeSegment(d.name, d.uuid)} (${d.uuid.slice(0, 8)}).md`);
    taken.add(rel.toLowerCase());
    out.set(d.uuid, rel);
  }
  return out;
}

/** A Markdown link destination from the note to a vault file (forward slashes, spaces allowed via <…>). */
function linkFrom(note: string, file: string): string {
  const rel = relative(dirname(note), file).split(sep).join("/");
  return /[\s()<>]/.test(rel) ? `<${rel}>` : rel;
}

function freePath(dir: string, rel: string): string {
  if (!existsSync(join(dir, rel))) return rel;
  const ext = rel.endsWith(".md") ? ".md" : "";
  const stem = ext ? rel.slice(0, -ext.length) : rel;
  for (let i = 2; ; i++) if (!existsSync(join(dir, `${stem} ${i}${ext}`))) return `${stem} ${i}${ext}`;
}

/**
 * Bring the vault up to date with the server. Per-notebook failures are reported, not thrown; an
 * unreachable server or a refused token throws. With `only`, notebooks outside it that the vault
 * already has are not looked at (the change feed said they did not change); deletions are still found.
 */
export async function syncVault(opts: VaultOptions, only: Set<string> | null = null, cursor?: string | null): Promise<VaultReport> {
  const dir = opts.dir;
  const images = opts.images ?? "png";
  const get = api(opts);
  const report: VaultReport = { written: [], unchanged: 0, moved: [], trashed: [], failed: [] };
  mkdirSync(join(dir, STATE_DIR), { recursive: true });
  const state = readState(dir, opts.server);

  const json = async <T>(path: string): Promise<T> => {
    const r = await get(path);
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
    return (await r.json()) as T;
  };
  const folders = new Map((await json<{ folders: { uuid: string; name: string; parent: string }[] }>("/api/v1/folders")).folders.map((f) => [f.uuid, f]));
  const docs = (await json<{ documents: DocSummary[] }>("/api/v1/documents")).documents.filter((d) => d.type === "document");
  const want = targets(docs, folders);

  let index: Map<string, string> | null = null;
  const locate = (uuid: string): string | null => {
    const known = state.docs[uuid];
    if (known && existsSync(join(dir, known.path))) return known.path;
    index ??= noteIndex(dir);
    return index.get(uuid) ?? null;
  };

  for (const d of docs) {
    if (only && !only.has(d.uuid) && state.docs[d.uuid] && want.get(d.uuid) === state.docs[d.uuid]!.target) {
      report.unchanged++;
      continue;
    }
    try {
      const target = want.get(d.uuid)!;
      let current = locate(d.uuid);
      const prev = state.docs[d.uuid];
      // The tablet renamed or moved it, and the user left the note where rmirror put it: follow the tablet.
      if (current && prev && target !== prev.target && current === prev.path) {
        const to = freePath(dir, target);
        mkdirSync(dirname(join(dir, to)), { recursive: true });
        renameSync(join(dir, current), join(dir, to));
        report.moved.push({ from: current, to });
        current = to;
      }
      const path = current ?? freePath(dir, target);

      const md = await get(`/api/v1/documents/${d.uuid}/markdown`, prev?.etag && current ? { "if-none-match": prev.etag } : {});
      if (md.status !== 200 && md.status !== 304) throw new Error(`Markdown: HTTP ${md.status}`);
      const etag = md.headers.get("etag");
      await md.body?.cancel();
      const detail = await json<DocDetail>(`/api/v1/documents/${d.uuid}`);
      const fingerprint = JSON.stringify([d.name, d.tags, d.lastModified, images, detail.pages.map((p) => [p.id, p.sha256, p.renderStatus])]);
      if (current && prev && md.status === 304 && prev.fingerprint === fingerprint) {
        state.docs[d.uuid] = { ...prev, path, target };
        report.unchanged++;
        continue;
      }

      const body = await notebookBody(get, dir, path, detail, images);
      const fm: Frontmatter = {
        uuid: d.uuid,
        tags: d.tags,
        created: d.created,
        modified: d.lastModified,
        pages: detail.pages.length,
        source: `${opts.server.replace(/\/+$/, "")}/documents/${d.uuid}`,
      };
      const existing = current ? readFileSync(join(dir, current), "utf8") : null;
      const next = mergeNote(existing, fm, body);
      if (next !== existing) {
        writeAtomic(join(dir, path), next);
        report.written.push(path);
      } else report.unchanged++;
      state.docs[d.uuid] = { path, target, etag, fingerprint };
    } catch (e) {
      if (e instanceof VaultServerError) throw e;
      report.failed.push({ name: d.name, error: (e as Error).message });
    }
  }

  // Notebooks gone from the server (deleted, or in the tablet's trash): their notes go to .trash/.
  const live = new Set(docs.map((d) => d.uuid));
  for (const uuid of Object.keys(state.docs)) {
    if (live.has(uuid)) continue;
    const at = locate(uuid);
    if (at) {
      const to = freePath(dir, join(TRASH_DIR, basename(at)));
      mkdirSync(join(dir, TRASH_DIR), { recursive: true });
      renameSync(join(dir, at), join(dir, to));
      report.trashed.push(at);
    }
    const att = join(dir, ATTACH_DIR, uuid);
    if (existsSync(att)) {
      const to = join(dir, TRASH_DIR, ATTACH_DIR, uuid);
      rmSync(to, { recursive: true, force: true });
      mkdirSync(dirname(to), { recursive: true });
      renameSync(att, to);
    }
    delete state.docs[uuid];
  }

  state.server = opts.server;
  if (cursor !== undefined && report.failed.length === 0) state.cursor = cursor; // a failed notebook is tried again next time
  writeAtomic(join(dir, STATE_DIR, "vault.json"), JSON.stringify(state, null, 1));
  return report;
}

/** The region's Markdown: per page a heading, the page image (or the PDF page), then its text. */
async function notebookBody(get: ReturnType<typeof api>, dir: string, notePath: string, doc: DocDetail, images: "png" | "svg"): Promise<string> {
  const attDir = join(ATTACH_DIR, doc.uuid);
  const keep = new Set<string>();
  const isPdf = doc.fileType === "pdf" || doc.fileType === "epub";
  let pdfFile: string | null = null;
  if (isPdf) {
    // The annotated PDF (the original with the ink on it), kept once; pages embed it with #page=N.
    const r = await get(`/api/v1/documents/${doc.uuid}/pdf`);
    if (r.ok) {
      pdfFile = join(attDir, "document.pdf");
      writeAtomic(join(dir, pdfFile), new Uint8Array(await r.arrayBuffer()));
      keep.add(basename(pdfFile));
    } else await r.body?.cancel();
  }
  const parts: string[] = [];
  for (const p of doc.pages) {
    const n = p.idx + 1;
    parts.push(`## Page ${n}`);
    if (pdfFile) parts.push(`![Page ${n}](${linkFrom(notePath, pdfFile)}#page=${n})`);
    else if (p.renderStatus === "done" || p.renderStatus === "blank") {
      const file = join(attDir, `page-${n}-${(p.sha256 ?? "blank").slice(0, 12)}.${images}`);
      keep.add(basename(file));
      if (!existsSync(join(dir, file))) {
        const r = await get(`/api/v1/documents/${doc.uuid}/pages/${p.id}/${images}${images === "png" ? "?longEdge=1568" : ""}`);
        if (!r.ok) throw new Error(`page ${n} image: HTTP ${r.status}`);
        writeAtomic(join(dir, file), new Uint8Array(await r.arrayBuffer()));
      }
      parts.push(`![Page ${n}](${linkFrom(notePath, file)})`);
    } else parts.push(`*(page ${n}: ${p.renderStatus === "failed" ? "could not be rendered" : "not rendered yet"})*`);
    const t = await get(`/api/v1/documents/${doc.uuid}/pages/${p.id}/markdown`);
    if (!t.ok) throw new Error(`page ${n} text: HTTP ${t.status}`);
    const text = (await t.text()).trim();
    if (text) parts.push(demoteHeadings(text, 2));
  }
  // Images of pages that changed or went away.
  if (existsSync(join(dir, attDir))) for (const f of readdirSync(join(dir, attDir))) if (!keep.has(f)) rmSync(join(dir, attDir, f), { force: true });
  return parts.join("\n\n");
}

/**
 * The live mirror's step (`rmirror agent --vault`): read the change feed from the vault's cursor
 * and update only the notebooks it names. The first run, a folder change (paths below it move) and
 * an expired cursor (410) update everything. The cursor is read before the notes are written, so a
 * change made meanwhile is seen by the next step, never lost.
 */
export async function mirrorVault(opts: VaultOptions): Promise<VaultReport & { full: boolean }> {
  const get = api(opts);
  mkdirSync(join(opts.dir, STATE_DIR), { recursive: true });
  const state = readState(opts.dir, opts.server);
  let cursor = state.server === opts.server ? (state.cursor ?? null) : null;
  let full = cursor === null;
  const touched = new Set<string>();
  for (let more = true; more; ) {
    const r = await get(`/api/v1/changes?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (r.status === 410 || r.status === 400) {
      await r.body?.cancel();
      if (cursor === null) throw new Error(`change feed: HTTP ${r.status}`);
      cursor = null; // expired or foreign cursor: read from the start, which is a full snapshot
      full = true;
      touched.clear();
      continue;
    }
    if (!r.ok) throw new Error(`change feed: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
    const page = (await r.json()) as { changes: { kind: string; op: string; document: string | null; data: { type?: string } | null }[]; cursor: string | null; more: boolean };
    for (const c of page.changes) {
      if (c.kind === "document" && (c.data?.type === "folder" || (c.op === "delete" && !state.docs[c.document ?? ""]))) full = true;
      if (c.document) touched.add(c.document);
    }
    cursor = page.cursor ?? cursor;
    more = page.more;
  }
  if (!full && touched.size === 0) return { written: [], unchanged: Object.keys(state.docs).length, moved: [], trashed: [], failed: [], full };
  const report = await syncVault(opts, full ? null : touched, cursor);
  return { ...report, full };
}
