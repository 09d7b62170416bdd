// `rmirror render` end to end, through the real entry point in a child process.
import { afterAll, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describeSamples, sample } from "../support/samples.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const tmp = mkdtempSync(join(tmpdir(), "rmirror-render-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rmirror(...args: string[]) {
  const r = Bun.spawnSync([process.execPath, MAIN, ...args], { cwd: tmp, stderr: "pipe", stdout: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

test("--version and usage", () => {
  const v = rmirror("--version");
  expect(v.code).toBe(0);
  expect(v.out).toMatch(/^rmirror \d+\.\d+\.\d+ \(/);
  const u = rmirror("nonsense");
  expect(u.code).toBe(2);
  expect(u.err).toContain("unknown command 'nonsense'");
  expect(u.err).toContain("render");
});

test("bad options are usage errors with exit code 2", () => {
  expect(rmirror("render").code).toBe(2);
  const r = rmirror("render", "x.rm", "--to", "gif");
  expect(r.code).toBe(2);
  expect(r.err).toContain("unknown format 'gif'");
  expect(rmirror("render", "x.rm", "--page", "0").code).toBe(2);
});

test("a file that is not a .rm page fails with a clear message", () => {
  writeFileSync(join(tmp, "junk.rm"), "hello, not a notebook");
  const r = rmirror("render", "junk.rm", "--out", "junk-out");
  expect(r.code).toBe(1);
  expect(r.err).toContain("junk.rm at offset 0");
  expect(r.err).toContain("expected");
});

describeSamples("rmirror render on samples", () => {
  test("a single v6 page to every format", () => {
    const out = join(tmp, "single");
    const r = rmirror("render", sample("rmscene__Bold_Heading_Bullet_Normal.rm"), "--to", "svg,png,pdf,md", "--out", out);
    expect(r.code).toBe(0);
    const base = join(out, "rmscene__Bold_Heading_Bullet_Normal");
    expect(readFileSync(`${base}.svg`, "utf8")).toContain("<svg");
    expect(readFileSync(`${base}.png`).subarray(1, 4).toString()).toBe("PNG");
    expect(readFileSync(`${base}.pdf`).subarray(0, 5).toString()).toBe("%PDF-");
    expect(readFileSync(`${base}.md`, "utf8")).toContain("B is a letter of the alphabet");
  });

  test("a xochitl-style folder renders every document, mirroring names", () => {
    const out = join(tmp, "xochitl");
    const r = rmirror("render", sample("rm2pdf__testfiles"), "--to", "pdf,md", "--out", out);
    expect(r.err).not.toContain("error:");
    expect(r.code).toBe(0);
    const pdfs = files(out).filter((f) => f.endsWith(".pdf"));
    expect(pdfs.length).toBe(4); // cc8313bb, d34df12d, e724bba2, fbe9f971
    expect(r.err).toMatch(/\[4\/4\]/);
  });

  test("a cloud zip and --page", () => {
    const out = join(tmp, "zip");
    const r = rmirror("render", sample("rmapi__annotations_testfiles_a4.zip"), "--to", "svg", "--page", "1", "--out", out);
    expect(r.code).toBe(0);
    expect(files(out).filter((f) => f.endsWith(".svg"))).toHaveLength(1);
  });

  test("tags from .content in the Markdown; page SVGs of an annotated PDF in the PDF page's frame (issue 12 items 10, 5)", async () => {
    const lib = join(tmp, "tags-in");
    mkdirSync(lib);
    const id = "fbe9f971-03ba-4c21-a0e8-78dd921f9c4c";
    for (const f of readdirSync(sample("rm2pdf__testfiles")).filter((n) => n.startsWith(id))) cpSync(sample("rm2pdf__testfiles", f), join(lib, f), { recursive: true });
    const contentPath = join(lib, `${id}.content`);
    const content = JSON.parse(readFileSync(contentPath, "utf8"));
    const firstPage = (content.pages ?? content.cPages?.pages?.map((p: { id: string }) => p.id))[0];
    content.tags = [{ name: "reading", timestamp: 1 }, { name: "to do", timestamp: 2 }];
    content.pageTags = [{ name: "key-page", pageId: firstPage, timestamp: 3 }];
    writeFileSync(contentPath, JSON.stringify(content));
    const out = join(tmp, "tags-out");
    const r = rmirror("render", lib, "--to", "md,svg,pdf", "--out", out);
    expect(r.err).not.toContain("error:");
    expect(r.code).toBe(0);
    const md = files(out).find((f) => f.endsWith(".md"))!;
    const text = readFileSync(join(out, md), "utf8");
    expect(text).toContain("\n\nTags: #reading #[[to do]]\n");
    expect(text).toContain("Tags: #key-page");
    // The first page's SVG has the PDF page's size (the PDF export's first page, ink extending both).
    const { PDFDocument } = await import("pdf-lib");
    const pdf = await PDFDocument.load(readFileSync(join(out, files(out).find((f) => f.endsWith(".pdf"))!)));
    const svg = readFileSync(join(out, files(out).find((f) => f.endsWith("page-001.svg"))!), "utf8");
    const m = /width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg)!;
    expect(Number(m[1])).toBeCloseTo(pdf.getPage(0).getWidth(), 0);
    expect(Number(m[2])).toBeCloseTo(pdf.getPage(0).getHeight(), 0);
  });

  test("one corrupt document: the good ones are still rendered, then exit 1 naming the bad file", () => {
    const lib = join(tmp, "mixed-in");
    mkdirSync(lib);
    for (const f of readdirSync(sample("rm2pdf__testfiles"))) {
      if (f.startsWith("d34df12d") || f.startsWith("fbe9f971")) cpSync(sample("rm2pdf__testfiles", f), join(lib, f), { recursive: true });
    }
    // corrupt every page of d34df12d
    const pagesDir = join(lib, "d34df12d-e72b-4939-a791-5b34b3a810e7");
    for (const f of readdirSync(pagesDir).filter((n) => n.endsWith(".rm"))) {
      const b = readFileSync(join(pagesDir, f));
      writeFileSync(join(pagesDir, f), b.subarray(0, Math.floor(b.length / 2)));
    }
    // and a hostile name on the other one
    const meta = join(lib, "fbe9f971-03ba-4c21-a0e8-78dd921f9c4c.metadata");
    const m = JSON.parse(readFileSync(meta, "utf8"));
    m.visibleName = "../../escaped<script>";
    writeFileSync(meta, JSON.stringify(m));
    const out = join(tmp, "mixed-out");
    const r = rmirror("render", lib, "--to", "pdf", "--out", out);
    expect(r.code).toBe(1);
    expect(r.err).toContain("d34df12d-e72b-4939-a791-5b34b3a810e7/");
    expect(r.err).toMatch(/at offset \d+/);
    const made = files(out);
    expect(made.some((f) => f.includes("escaped_script") && f.endsWith(".pdf"))).toBe(true);
    expect(existsSync(join(tmp, "escaped<script>.pdf"))).toBe(false);
    // no path segment is "." or ".." and nothing was written outside --out
    expect(made.every((f) => f.split(/[\\/]/).every((seg) => seg !== ".." && seg !== "."))).toBe(true);
    expect(readdirSync(tmp).some((f) => f.includes("escaped"))).toBe(false);
  });
});

test("healthcheck: 0 for a healthy server, 1 for an unhealthy or absent one", async () => {
  let status = 200;
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("{}", { status }) });
  try {
    const url = `http://127.0.0.1:${server.port}/healthz`;
    const run = async () => {
      const p = Bun.spawn([process.execPath, MAIN, "healthcheck", "--url", url], { stderr: "pipe" });
      return { code: await p.exited, err: await new Response(p.stderr).text() };
    };
    expect((await run()).code).toBe(0);
    status = 503;
    const bad = await run();
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("answered 503");
  } finally {
    server.stop(true);
  }
  expect(rmirror("healthcheck", "--url", "http://127.0.0.1:1/healthz", "--timeout", "2").code).toBe(1);
});
