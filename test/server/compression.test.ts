// Text responses are compressed when the client accepts it (issue 13 item 5: a library of 20
// notebooks sent 2.2 MB of uncompressed SVG): a real `rmirror serve` child, a real HTTP client
// that asks for gzip and decodes nothing by itself, and the bytes checked both ways.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { acceptsGzip, compressResponse } from "../../src/server/compression.ts";
import { spawnServer, type ChildServer } from "../support/child-server.ts";

/** GET with an explicit Accept-Encoding; the body as sent on the wire (fetch's own decoding off). */
async function raw(url: string, acceptEncoding: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers: { ...(acceptEncoding === null ? {} : { "accept-encoding": acceptEncoding }), ...headers }, decompress: false } as RequestInit);
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe("compression of text responses by a real server", () => {
  let dir: string;
  let srv: ChildServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rmirror-gzip-"));
    srv = await spawnServer({ RMIRROR_DATA_DIR: dir });
  });
  afterAll(async () => {
    srv.proc.kill();
    await srv.proc.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  for (const path of ["/static/app.css", "/static/htmx.min.js", "/login", "/api/openapi.json"]) {
    test(`${path}: gzip when accepted, the same bytes once decoded, Vary: Accept-Encoding`, async () => {
      const plain = await raw(`${srv.url}${path}`, null);
      expect(plain.res.status).toBe(200);
      expect(plain.res.headers.get("content-encoding")).toBeNull();
      const gz = await raw(`${srv.url}${path}`, "gzip, deflate, br, zstd");
      expect(gz.res.status).toBe(200);
      expect(gz.res.headers.get("content-encoding")).toBe("gzip");
      expect(gz.res.headers.get("vary") ?? "").toMatch(/accept-encoding/i);
      expect(gz.res.headers.get("content-type")).toBe(plain.res.headers.get("content-type"));
      expect(Buffer.from(gunzipSync(gz.bytes)).equals(Buffer.from(plain.bytes))).toBe(true);
      expect(gz.bytes.byteLength).toBeLessThan(plain.bytes.byteLength);
    });
  }

  test("static files revalidate with their ETag: 304 for the gzip answer's weak ETag and the plain one (issue 13 item 5: a reload after an hour sends no file again)", async () => {
    const gz = await raw(`${srv.url}/static/htmx.min.js`, "gzip");
    const plain = await raw(`${srv.url}/static/htmx.min.js`, null);
    const weak = gz.res.headers.get("etag")!;
    const strong = plain.res.headers.get("etag")!;
    expect(weak).toBe(`W/${strong}`);
    for (const tag of [weak, strong]) {
      const again = await raw(`${srv.url}/static/htmx.min.js`, "gzip", { "if-none-match": tag });
      expect(again.res.status).toBe(304);
      expect(again.bytes.byteLength).toBe(0);
    }
    expect((await raw(`${srv.url}/static/htmx.min.js`, "gzip", { "if-none-match": '"other"' })).res.status).toBe(200);
  });

  test("not when refused (gzip;q=0 or identity only), not for HEAD", async () => {
    for (const ae of ["identity", "gzip;q=0", "br"]) {
      const r = await raw(`${srv.url}/static/app.css`, ae);
      expect(r.res.headers.get("content-encoding")).toBeNull();
    }
    const head = await fetch(`${srv.url}/static/app.css`, { method: "HEAD", headers: { "accept-encoding": "gzip" } });
    expect(head.headers.get("content-encoding")).toBeNull();
  });
});

describe("compressResponse", () => {
  const req = (ae: string) => new Request("http://x/", { headers: { "accept-encoding": ae } });
  test("a body known to be under 1 KiB, a binary type, an event stream or an encoded body stays as it is", () => {
    const cases = [
      new Response("x".repeat(100), { headers: { "content-type": "text/plain", "content-length": "100" } }),
      new Response(new Uint8Array(4096), { headers: { "content-type": "image/png" } }),
      new Response("data: 1\n\n".repeat(200), { headers: { "content-type": "text/event-stream" } }),
      new Response("x".repeat(4096), { headers: { "content-type": "text/plain", "content-encoding": "br" } }),
    ];
    for (const r of cases) expect(compressResponse(req("gzip"), r)).toBe(r);
  });
  test("a strong ETag becomes weak (the bytes differ); Vary is added to, not replaced", async () => {
    const r = compressResponse(req("gzip"), new Response("y".repeat(4096), { headers: { "content-type": "text/markdown", etag: '"md-1"', vary: "Cookie" } }));
    expect(r.headers.get("etag")).toBe('W/"md-1"');
    expect(r.headers.get("vary")).toBe("Cookie, Accept-Encoding");
    expect(Buffer.from(gunzipSync(new Uint8Array(await r.arrayBuffer()))).toString()).toBe("y".repeat(4096));
  });
  test("accept-encoding as clients write it", () => {
    expect(acceptsGzip("gzip, deflate, br")).toBe(true);
    expect(acceptsGzip("br;q=1.0, gzip;q=0.8")).toBe(true);
    expect(acceptsGzip("GZIP")).toBe(true);
    expect(acceptsGzip("*")).toBe(true);
    expect(acceptsGzip("gzip;q=0, *")).toBe(false);
    expect(acceptsGzip("*;q=0")).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip(null)).toBe(false);
  });
});
