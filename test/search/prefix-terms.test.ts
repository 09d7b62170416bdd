// Issue 18 (search at 500,000 pages): a query word of 4+ letters is spelled out as the index
// terms that start with it (search_terms) instead of an FTS5 prefix search, which finds exactly
// the same rows; words with more than MAX_PREFIX_TERMS such terms, short words and words the
// vocabulary does not know keep the prefix search. Hits of another user never appear.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext } from "../../src/composition/context.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { MAX_PREFIX_TERMS, search, toMatch, toTypoMatch } from "../../src/services/library/search.ts";
import { migrate, MIGRATIONS } from "../../src/storage/migrations.ts";
import { searchRepo } from "../../src/storage/search.ts";

const LONG = "Donaudampfschifffahrtsgesellschaftskapitänsmütze"; // 48 letters
const MANY = Array.from({ length: MAX_PREFIX_TERMS + 3 }, (_, i) => `zettel${String.fromCharCode(97 + Math.floor(i / 26), 97 + (i % 26))}x`);
const TEXTS: [user: 0 | 1, doc: string, text: string][] = [
  [0, "Plans", "We plan the plans and the planning of Planck's planet."],
  [0, "Long", `Der ${LONG} kam.`],
  [0, "Many", MANY.join(" ")],
  [0, "Accents", "Crème brûlée für Müller"],
  [1, "Bob plans", "Bob's plan: planning the planet, a Donaudampfer and a zettelax."],
];

let dir: string;
let ctx: ReturnType<typeof createContext>;
let users: number[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rmirror-prefix-terms-"));
  ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }), { log: silentLogger });
  const s = ctx.store;
  users = ["alice@example.com", "bob@example.com"].map((email) => s.insertUser({ email, passwordHash: null, isAdmin: false }).id);
  for (const [u, name, text] of TEXTS) {
    const userId = users[u]!;
    const doc = s.insertDocument(userId, crypto.randomUUID(), {
      type: "DocumentType", name, parent: "", file_type: "notebook", pinned: 0, tablet_deleted: 0, last_modified: 1_700_000_000_000, last_opened: null,
      metadata_json: "{}", content_json: null, page_count: 1, deleted_at: null,
    });
    const page = s.insertPage({ documentId: doc.id, userId, pageUuid: crypto.randomUUID(), idx: 0, sha256: null, size: 0, template: null, sourcePage: null, status: "done" });
    s.putPageText({ pageId: page.id, userId, documentId: doc.id, source: "ocr", text });
  }
});
afterAll(() => {
  ctx?.store.db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const find = (user: number, q: string) => search(ctx, users[user]!, { q, limit: "100" });
const pages = (r: ReturnType<typeof find>) => r.items.filter((i) => i.kind === "page").map((i) => i.document.name).sort();

test("a word is spelled out as the index terms it is a prefix of; the rows are those of the prefix search", () => {
  const terms = (key: string) => ctx.store.searchTermsWithPrefix(key, MAX_PREFIX_TERMS);
  expect(terms("plan")).toEqual(["plan", "planck", "planet", "planning", "plans"]);
  expect(terms("donaudampf")).toEqual(["donaudampfer", "donaudampfschifffahrtsgesellschaftskapitansmutze"]);
  expect(terms("zettel")).toBeNull(); // more than MAX_PREFIX_TERMS
  expect(toMatch("plan Müll", terms)).toBe('("plan" OR "planck" OR "planet" OR "planning" OR "plans") AND "muller"');
  expect(toMatch("the zettel", terms)).toBe('"the"* "zettel"*'); // 3 letters: prefix index; too many terms: prefix
  expect(toMatch("qqqq", terms)).toBe('"qqqq"*'); // unknown: the prefix search (finds nothing, cheaply)
  expect(toMatch("plan")).toBe('"plan"*'); // without the vocabulary
  // Spelled out or not, FTS5 finds the same rows (all users).
  const rows = (m: string) => ctx.store.db.query<{ id: number }, [string]>("SELECT rowid AS id FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid").all(m);
  for (const q of ["plan", "plane", "donau", "zettel", "zettela", "muller", "creme brul", "plann planet"]) {
    expect(rows(toMatch(q, terms)!), q).toEqual(rows(toMatch(q)!));
  }
  // The typo query (words one typo away, without the exact hits) too.
  const known = (ts: string[]) => ctx.store.knownSearchTerms(ts);
  for (const q of ["plann", "planec", "donau planing"]) {
    const spelled = toTypoMatch(q, known, terms)!;
    expect(spelled, q).not.toContain('"plan"*');
    expect(rows(spelled), q).toEqual(rows(toTypoMatch(q, known)!));
    expect(rows(spelled).length, q).toBeGreaterThan(0);
  }
});

test("search finds longer words, words over 40 letters, accented words and crowded prefixes", () => {
  expect(pages(find(0, "plan"))).toEqual(["Plans"]);
  expect(find(0, "plan").items.find((i) => i.kind === "page")!.snippet).toContain("<mark>plan</mark> the <mark>plans</mark>");
  expect(pages(find(0, "donau"))).toEqual(["Long"]);
  expect(pages(find(0, "donaudampfschifffahrtsgesellschaftskapitan"))).toEqual(["Long"]);
  expect(pages(find(0, "zettel"))).toEqual(["Many"]);
  expect(pages(find(0, `zettelb ${MANY[0]}`))).toEqual(["Many"]);
  expect(pages(find(0, "brulee crem"))).toEqual(["Accents"]);
  expect(pages(find(0, "mull"))).toEqual(["Accents"]);
});

test("hits of another user never appear, whichever way the query is written", () => {
  for (const q of ["plan", "planet", "donau", "zettel", "zettelax", "bob", "plans"]) {
    const mine = find(0, q).items.map((i) => i.document.name);
    const bobs = find(1, q).items.map((i) => i.document.name);
    expect(mine.includes("Bob plans"), q).toBe(false);
    expect(bobs.every((n) => n === "Bob plans"), q).toBe(true);
  }
  expect(pages(find(1, "donau"))).toEqual(["Bob plans"]);
  expect(pages(find(1, "zettel"))).toEqual(["Bob plans"]);
});

test("ranked hits carry the snippet and highlight FTS5 makes for them, whichever way they are fetched", () => {
  const terms = (key: string) => ctx.store.searchTermsWithPrefix(key, MAX_PREFIX_TERMS);
  const truth = ctx.store.db.query<{ rid: number; snip: string; hl: string }, [string]>(
    "SELECT rowid AS rid, snippet(search_fts, 1, char(57344), char(57345), '…', 16) AS snip, highlight(search_fts, 0, char(57344), char(57345)) AS hl FROM search_fts WHERE search_fts MATCH ?",
  );
  // Spelled-out words and 2–3-letter prefixes (snippets fetched for the page's hits only), other prefixes (in the ranked query).
  for (const q of ["plan", "pla", "the plan", "donau", "zettel", "p", "plan planet"]) {
    for (const user of [0, 1]) {
      const m = toMatch(q, terms)!;
      const rows = ctx.store.searchText({ userId: users[user]!, match: m, limit: 10, offset: 0 }, "rank");
      const want = new Map(truth.all(m).map((r) => [r.rid, [r.snip, r.hl]]));
      expect(rows.length, q).toBeGreaterThan(0);
      for (const r of rows) expect([r.snip, r.title_hl], q).toEqual(want.get(r.rid)!);
      expect(rows.map((r) => r.score), q).toEqual(rows.map((r) => r.score).sort((a, b) => a - b));
    }
  }
});

test("the database file is read through a memory map", () => {
  expect(ctx.store.db.query<{ mmap_size: number }, []>("PRAGMA mmap_size").get()!.mmap_size).toBeGreaterThan(1e9);
});

test("the migration adds the terms the index holds that the vocabulary lacks (longer than 40 letters)", () => {
  const db = new Database(":memory:");
  db.run("PRAGMA foreign_keys = ON");
  const at = MIGRATIONS.findIndex((m) => m.name.includes("search terms of every length"));
  migrate(db, MIGRATIONS.slice(0, at));
  db.run("INSERT INTO users (id, email, password_hash, created_at) VALUES (1, 'a@example.com', 'x', 0)");
  db.run(`INSERT INTO documents (id, user_id, uuid, type, name, parent, created_at, updated_at, revision, metadata_json, content_json)
          VALUES (1, 1, 'u1', 'DocumentType', 'Notes', '', 0, 0, 1, '{}', '{}')`);
  db.run("INSERT INTO pages (id, document_id, user_id, page_uuid, idx, size, render_status, created_at, updated_at) VALUES (1, 1, 1, 'p1', 0, 0, 'done', 0, 0)");
  // Written by SQL, as text indexed before the vocabulary kept every length: the index has the terms, search_terms not.
  db.run("INSERT INTO page_texts (page_id, user_id, document_id, source, text, updated_at) VALUES (1, 1, 1, 'ocr', ?, 0)", [`${LONG} und Donaudelta`]);
  const s = searchRepo(db);
  expect(s.searchTermsWithPrefix("donau", 16)).toEqual([]);
  migrate(db);
  expect(s.searchTermsWithPrefix("donau", 16)).toEqual(["donaudampfschifffahrtsgesellschaftskapitansmutze", "donaudelta"]);
  expect(s.searchTermsWithPrefix("notes", 16)).toEqual(["notes"]);
});
