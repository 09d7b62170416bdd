// Search folds ß/ss, æ/ae, œ/oe, ø/o, ligatures … on both sides, keeps the original spelling in
// snippets, and tolerates one typo (wrong, missing, extra or swapped letter) in a query word or in
// the handwriting OCR text, listing such hits after the exact ones (issue 13 item 12).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { migrate, MIGRATIONS } from "../../src/storage/migrations.ts";
import { searchRepo } from "../../src/storage/search.ts";
import { fold, FOLDS, oneTypoAway } from "../../src/storage/search-text.ts";
import { inkPage } from "../ocr/support.ts";
import { addUser, buildDoc, call, json, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { harnessWithOcrTexts, searchAs } from "./support.ts";

const OCR_TEXT: Record<number, string> = {
  1: "Die Straße zur Encyclopædia: ein Œuvre über ﬁnancial ﬂows, Søren Kierkegaard, Łódź",
  2: "Strasse and oeuvre, written plainly",
  3: "Notes on the Turing machine and computable numbers",
  4: "The machne of Babbage (the OCR misread this word)",
};

let h: Harness;
let alice: TestUser;
const names = ["Folds", "Plain", "Turing notes", "Babbage"];

beforeAll(async () => {
  h = await harnessWithOcrTexts(OCR_TEXT);
  alice = await addUser(h, "alice@example.com");
  for (let i = 0; i < 4; i++) {
    await syncDoc(h, alice.token, buildDoc([inkPage(i + 1)], { name: names[i] }));
    await h.runner.idle(); // one at a time: OCR answers arrive in OCR_TEXT order
  }
});
afterAll(() => h?.close());

const search = (q: string) => searchAs(h, alice, `q=${encodeURIComponent(q)}`);
const docsOf = (r: any) => r.items.map((i: any) => i.document.name);

test("ß/ss, æ/ae, œ/oe, ø/o, ł/l and ligatures fold both ways; snippets keep the original spelling", async () => {
  const s = await search("strasse");
  expect(docsOf(s).sort()).toEqual(["Folds", "Plain"]);
  expect(s.items.find((i: any) => i.document.name === "Folds").snippet).toContain("<mark>Straße</mark>");
  expect(docsOf(await search("Straße")).sort()).toEqual(["Folds", "Plain"]);
  expect(docsOf(await search("STRASSE"))).toContain("Folds");
  for (const q of ["encyclopaedia", "Encyclopædia", "oeuvre", "Œuvre", "financial", "ﬁnancial", "flows", "soren", "Søren", "lodz", "Łódź"]) {
    expect(docsOf(await search(q)), q).toContain("Folds");
  }
  expect(docsOf(await search("Œuvre")).sort()).toEqual(["Folds", "Plain"]);
  const lig = await search("financial flows");
  expect(lig.items[0].snippet).toContain("<mark>ﬁnancial</mark> <mark>ﬂows</mark>");
  expect(lig.items[0].typo).toBe(false);
});

test("one wrong, missing, extra or swapped letter still finds the page, marked as a typo hit", async () => {
  for (const q of ["compuatble", "computeble", "computble", "computtable", "Truing", "turin machine"]) {
    const r = await search(q);
    expect(docsOf(r), q).toContain("Turing notes");
    const hit = r.items.find((i: any) => i.document.name === "Turing notes");
    if (q !== "turin machine") expect(hit.typo, q).toBe(true); // "turin" is a prefix of "turing": exact
    expect(hit.snippet, q).toContain("<mark>");
  }
  // Two typos in one word are too many; short words get none (too many neighbours).
  expect(docsOf(await search("compuatbel"))).not.toContain("Turing notes");
  expect(docsOf(await search("teh"))).toEqual([]);
});

test("exact hits come first, then the hits one typo away (here the OCR misread the word)", async () => {
  const r = await search("machine");
  expect(r.items.map((i: any) => [i.document.name, i.typo])).toEqual([
    ["Turing notes", false],
    ["Babbage", true],
  ]);
  expect(r.items[1].snippet).toContain("<mark>machne</mark>");
  // Pagination continues through the typo hits.
  const p1 = await json(await call(h, "GET", "/api/v1/search?q=machine&limit=1", { token: alice.token }));
  const p2 = await json(await call(h, "GET", `/api/v1/search?q=machine&limit=1&offset=${p1.nextOffset}`, { token: alice.token }));
  expect([p1.items[0].document.name, p2.items[0].document.name]).toEqual(["Turing notes", "Babbage"]);
  expect(p2.nextOffset).toBeNull();
});

test("oneTypoAway makes every one-edit neighbour; fold covers every listed letter", () => {
  const n = new Set(oneTypoAway("turing"));
  for (const w of ["tring", "truing", "tureing", "tiring", "turingx", "xturing"]) expect(n.has(w), w).toBe(true);
  expect(n.has("turing")).toBe(false);
  expect(n.has("tirung")).toBe(false);
  for (const [from, to] of FOLDS) expect(fold(`a${from}b`)).toBe(`a${to}b`);
});

test("the migration folds text that was indexed before it, and fills the typo vocabulary", () => {
  const db = new Database(":memory:");
  db.run("PRAGMA foreign_keys = ON");
  const at = MIGRATIONS.findIndex((m) => m.name.includes("search folds"));
  migrate(db, MIGRATIONS.slice(0, at));
  db.run("INSERT INTO users (id, email, password_hash, created_at) VALUES (1, 'a@example.com', 'x', 0)");
  db.run(`INSERT INTO documents (id, user_id, uuid, type, name, parent, created_at, updated_at, revision, metadata_json, content_json)
          VALUES (1, 1, 'u1', 'DocumentType', 'Große Straße', '', 0, 0, 1, '{}', '{}')`);
  db.run("INSERT INTO pages (id, document_id, user_id, page_uuid, idx, size, render_status, created_at, updated_at) VALUES (1, 1, 1, 'p1', 0, 0, 'done', 0, 0)");
  db.run("INSERT INTO page_texts (page_id, user_id, document_id, source, text, updated_at) VALUES (1, 1, 1, 'ocr', 'ﬁnal Encyclopædia entry', 0)");
  migrate(db);
  const s = searchRepo(db);
  const hits = (m: string) => s.searchText({ userId: 1, match: m, limit: 10, offset: 0 }).map((r) => [r.source, r.snip || r.title_hl]);
  expect(hits('"strasse"*')).toEqual([[null, "Große \uE000Straße\uE001"]]);
  expect(hits('"final"* "encyclopaedia"')).toEqual([["ocr", "\uE000ﬁnal\uE001 \uE000Encyclopædia\uE001 entry"]]);
  expect(s.knownSearchTerms(["encyclopaedia", "strasse", "nope"]).sort()).toEqual(["encyclopaedia", "strasse"]);
  // Edits after the migration keep the external-content index in step.
  db.run("UPDATE page_texts SET text = 'plain words' WHERE page_id = 1");
  expect(hits('"final"*')).toEqual([]);
  expect(hits('"plain"*').length).toBe(1);
  db.run("DELETE FROM pages WHERE id = 1");
  expect(hits('"plain"*')).toEqual([]);
  // The index is consistent in itself (rank 0: the folded index differs from its original-text content by design).
  db.run("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 0)");
});
