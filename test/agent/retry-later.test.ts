// The agent treats the server's storage faults as "retry later": 507 storage_full and 503
// storage_unavailable pause the whole queue (nothing is parked, no attempt is spent) and honour
// Retry-After. Driven against a loopback server answering exactly what rmirror serve answers.
import { afterAll, expect, test } from "bun:test";
import { silentLogger } from "../../src/log.ts";
import { ServerUnavailable, Uploader } from "../../agent/uploader.ts";
import type { Outbox } from "../../agent/outbox.ts";
import type { ManifestReader } from "../../agent/manifest.ts";

const answers: Record<string, [number, string]> = {
  "/full": [507, "storage_full"],
  "/down": [503, "storage_unavailable"],
};
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req) {
    const [status, code] = answers[new URL(req.url).pathname] ?? [404, "route_not_found"];
    return Response.json({ error: { code, message: code } }, { status, headers: { "retry-after": "30" } });
  },
});
afterAll(() => server.stop(true));

for (const [path, [status, code]] of Object.entries(answers)) {
  test(`HTTP ${status} ${code}: the queue waits for Retry-After instead of parking the document`, async () => {
    // request() touches neither the outbox nor the folder reader.
    const up = new Uploader(undefined as unknown as Outbox, undefined as unknown as ManifestReader, { server: `http://127.0.0.1:${server.port}`, token: "rmt_x" }, silentLogger);
    const err = await up.request("PUT", path, new Uint8Array(10), "application/octet-stream").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerUnavailable);
    expect((err as ServerUnavailable).status).toBe(status);
    expect((err as ServerUnavailable).retryAfterMs).toBe(30_000);
    expect((err as Error).message).toContain(code);
  });
}
