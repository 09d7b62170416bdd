// Upgrading from a database whose pages were rendered before page text, OCR and search existed:
// migration 0003 queues a render for each, which stores their text and decides OCR.
import { expect, test } from "bun:test";
import { MIGRATIONS } from "../../src/storage/migrations.ts";
import { startFakeAnthropic } from "../support/fake-anthropic.ts";
import { addUser, buildDoc, call, harness, json, syncDoc } from "../support/server-harness.ts";
import { inkPage, ocrStatus, pageIds } from "./support.ts";

test("pages rendered by an older version are rendered again once: indexed, and OCR'd when they have ink", async () => {
  const fake = startFakeAnthropic();
  fake.reply = () => "Einkaufsliste: Äpfel";
  const h = await harness({ overrides: { "ocr.apiKey": fake.apiKey, "ocr.baseUrl": fake.url } });
  try {
    const u = await addUser(h, "old@example.com");
    const d = buildDoc([inkPage(90)], { name: "Old notebook" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    const [id] = pageIds(h, u.id, d.uuid);
    expect(fake.requests.length).toBe(1);
    // Make it look like the state before 0002: no OCR state, no page text.
    const db = h.ctx.store.db;
    db.run("DELETE FROM page_ocr");
    db.run("DELETE FROM page_texts");
    db.run("DELETE FROM todos");
    const m = MIGRATIONS.find((x) => x.name.startsWith("0003"))!;
    db.run(m.sql);
    db.run(m.sql); // idempotent while the job is live
    expect(h.ctx.store.jobsByUser(u.id, { kind: "render_page", status: "queued", limit: 10 }).length).toBe(1);
    await h.runner.idle();
    expect(ocrStatus(h, id!)).toBe("done");
    expect(fake.requests.length).toBe(2);
    const r = await json(await call(h, "GET", "/api/v1/search?q=apfel", { token: u.token }));
    expect(r.items.map((i: any) => i.source)).toEqual(["ocr"]);
    db.run(m.sql); // nothing left to do
    expect(h.ctx.store.jobsByUser(u.id, { kind: "render_page", status: "queued", limit: 10 }).length).toBe(0);
  } finally {
    await h.close();
    await fake.close();
  }
});
