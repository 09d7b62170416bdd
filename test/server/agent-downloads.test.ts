// Issue 15 item 1: the server hands out the agent. Small fake executables in a temp
// RMIRROR_AGENT_DIR; served without login at /download/agent/<platform> with their SHA-256
// (<platform>.sha256 in sha256sum format, manifest.json); a missing platform is a 404 that says
// what to do; downloads are rate limited per client; byte ranges work through a real server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOWNLOADS_PER_WINDOW } from "../../src/services/agent/downloads.ts";
import { VERSION } from "../../src/version.ts";
import { spawnServer, type ChildServer } from "../support/child-server.ts";
import { call, harness, json, type Harness } from "../support/server-harness.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-agent-dl-"));
const agentDir = join(tmp, "agents");
mkdirSync(agentDir);
const files: Record<string, Buffer> = {
  "rmirror-darwin-arm64": Buffer.from("fake mach-o arm64 " + "a".repeat(5000)),
  "rmirror-linux-x64": Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251)),
  "rmirror-windows-x64.exe": Buffer.from("MZ fake windows executable"),
};
for (const [name, bytes] of Object.entries(files)) writeFileSync(join(agentDir, name), bytes);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("agent downloads (in-process)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ overrides: { agentDir } });
  });
  afterAll(() => h.close());

  test("an executable is served without login, byte for byte, with its hash in a header", async () => {
    const res = await call(h, "GET", "/download/agent/linux-x64");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toContain('filename="rmirror-linux-x64"');
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("x-checksum-sha256")).toBe(sha(files["rmirror-linux-x64"]!));
    expect(Buffer.from(await res.arrayBuffer()).equals(files["rmirror-linux-x64"]!)).toBe(true);
  });

  test("<platform>.sha256 answers in sha256sum format; the manifest lists every platform, null where missing", async () => {
    const s = await call(h, "GET", "/download/agent/darwin-arm64.sha256");
    expect(s.status).toBe(200);
    expect(await s.text()).toBe(`${sha(files["rmirror-darwin-arm64"]!)}  rmirror-darwin-arm64\n`);
    const m = await json(await call(h, "GET", "/download/agent/manifest.json"));
    expect(m.version).toBe(VERSION);
    expect(Object.keys(m.platforms).sort()).toEqual(["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64", "windows-x64"]);
    expect(m.platforms["windows-x64"]).toMatchObject({ sha256: sha(files["rmirror-windows-x64.exe"]!), size: files["rmirror-windows-x64.exe"]!.length, file: "rmirror-windows-x64.exe" });
    expect(m.platforms["windows-x64"].url).toEndWith("/download/agent/windows-x64");
    expect(m.platforms["darwin-x64"]).toBeNull();
    expect(m.platforms["linux-arm64"]).toBeNull();
  });

  test("a platform whose file is missing: 404 naming the file, the folder and how to provide it; unknown platforms list the known ones", async () => {
    for (const path of ["/download/agent/darwin-x64", "/download/agent/darwin-x64.sha256"]) {
      const res = await call(h, "GET", path);
      expect(res.status).toBe(404);
      const body = await json(res);
      expect(body.error.code).toBe("agent_not_available");
      expect(body.error.message).toContain("rmirror-darwin-x64");
      expect(body.error.message).toContain(agentDir);
      expect(body.error.message).toContain("npm run build");
    }
    const odd = await json(await call(h, "GET", "/download/agent/beos-ppc"));
    expect(odd.error.code).toBe("agent_not_available");
    expect(odd.error.message).toContain("darwin-arm64");
    // No path tricks: only the five names map to files.
    expect((await call(h, "GET", "/download/agent/..%2Fagents%2Frmirror-linux-x64")).status).toBeGreaterThanOrEqual(400);
  });

  test("byte ranges (in-process): 206 with Content-Range, suffix and open ranges, 416 outside the file", async () => {
    const all = files["rmirror-linux-x64"]!;
    const r = await call(h, "GET", "/download/agent/linux-x64", { headers: { range: "bytes=100-199" } });
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe(`bytes 100-199/${all.length}`);
    expect(Buffer.from(await r.arrayBuffer()).equals(all.subarray(100, 200))).toBe(true);
    const tail = await call(h, "GET", "/download/agent/linux-x64", { headers: { range: "bytes=-10" } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(all.subarray(all.length - 10))).toBe(true);
    const open = await call(h, "GET", "/download/agent/linux-x64", { headers: { range: `bytes=${all.length - 5}-` } });
    expect(open.headers.get("content-range")).toBe(`bytes ${all.length - 5}-${all.length - 1}/${all.length}`);
    const bad = await call(h, "GET", "/download/agent/linux-x64", { headers: { range: `bytes=${all.length}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get("content-range")).toBe(`bytes */${all.length}`);
    // If-Range with a different validator: the whole (changed) file.
    const stale = await call(h, "GET", "/download/agent/linux-x64", { headers: { range: "bytes=0-9", "if-range": '"old"' } });
    expect(stale.status).toBe(200);
  });
});

describe("agent downloads without RMIRROR_AGENT_DIR", () => {
  test("every platform is a 404 that says to set RMIRROR_AGENT_DIR", async () => {
    const h = await harness();
    try {
      const body = await json(await call(h, "GET", "/download/agent/linux-x64"));
      expect(body.error.code).toBe("agent_not_available");
      expect(body.error.message).toContain("RMIRROR_AGENT_DIR is not set");
    } finally {
      await h.close();
    }
  });
});

describe("agent downloads through a real server", () => {
  let s: ChildServer;
  beforeAll(async () => {
    s = await spawnServer({ RMIRROR_DATA_DIR: join(tmp, "data"), RMIRROR_AGENT_DIR: agentDir });
  }, 120_000);
  afterAll(async () => {
    s.proc.kill();
    await s.proc.exited;
  });

  test("a resumed download: the second half by Range, joined, has the published hash", async () => {
    const all = files["rmirror-linux-x64"]!;
    const half = Math.floor(all.length / 2);
    const first = await fetch(`${s.url}/download/agent/linux-x64`, { headers: { range: `bytes=0-${half - 1}` } });
    expect(first.status).toBe(206);
    const second = await fetch(`${s.url}/download/agent/linux-x64`, { headers: { range: `bytes=${half}-` } });
    expect(second.status).toBe(206);
    expect(second.headers.get("content-range")).toBe(`bytes ${half}-${all.length - 1}/${all.length}`);
    const joined = Buffer.concat([Buffer.from(await first.arrayBuffer()), Buffer.from(await second.arrayBuffer())]);
    const published = (await (await fetch(`${s.url}/download/agent/linux-x64.sha256`)).text()).split(" ")[0];
    expect(sha(joined)).toBe(published!);
  });

  test("rate limited per client: after its share, 429 with Retry-After (other routes unaffected)", async () => {
    let limited: Response | undefined;
    for (let i = 0; i < DOWNLOADS_PER_WINDOW + 1 && !limited; i++) {
      const r = await fetch(`${s.url}/download/agent/windows-x64.sha256`);
      if (r.status === 429) limited = r;
      else await r.arrayBuffer();
    }
    expect(limited).toBeDefined();
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await limited!.json()).error.code).toBe("rate_limited");
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });
});
