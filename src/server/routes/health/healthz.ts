import type { AppContext } from "../../../services/context.ts";
import { pingDatabase } from "../../../storage/db.ts";

/** GET /healthz — 200 when the database and blob storage answer, 503 otherwise. */
export async function healthz(ctx: AppContext, draining: () => boolean): Promise<Response> {
  const checks: Record<string, string> = {};
  try {
    pingDatabase(ctx.store.db);
    checks.db = "ok";
  } catch (e) {
    checks.db = `error: ${(e as Error).message}`;
  }
  try {
    await Promise.race([ctx.blobs.check(), Bun.sleep(5000).then(() => Promise.reject(new Error("timeout")))]);
    checks.storage = "ok";
  } catch (e) {
    checks.storage = `error: ${(e as Error).message}`;
  }
  if (draining()) checks.server = "shutting down";
  const ok = Object.values(checks).every((v) => v === "ok");
  return Response.json({ status: ok ? "ok" : "unavailable", checks, storage: ctx.blobs.kind }, { status: ok ? 200 : 503 });
}
