// The server's own export folder (RMIRROR_EXPORT_DIR): every user's library kept as a Markdown
// vault in <dir>/<email>/, for people who sync a folder of the server (Syncthing, Nextcloud)
// rather than run the agent. The same vault code as `rmirror agent --vault`, reading the same
// change feed — through the app in-process, as the user, with a session made for the run and
// removed after it (never a token that outlives it).
import { join } from "node:path";
import { createSession, logout, SESSION_COOKIE } from "../services/accounts/accounts.ts";
import type { AppContext } from "../services/context.ts";

type Handler = { handle(req: Request): Promise<Response> };

/** One pass over every user; returns the notes written per user email. */
export async function exportFolders(ctx: AppContext, app: Handler, dir: string): Promise<Record<string, number>> {
  const { mirrorVault, safeSegment } = await import("../vault/vault.ts");
  const out: Record<string, number> = {};
  for (const u of ctx.store.listUsers()) {
    const s = createSession(ctx, u.id);
    try {
      const fetchAsUser = (url: string, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        headers.set("cookie", `${SESSION_COOKIE}=${s.sessionToken}`);
        return app.handle(new Request(url, { ...init, headers }));
      };
      const r = await mirrorVault({ dir: join(dir, safeSegment(u.email, `user-${u.id}`)), server: ctx.config.publicUrl, token: "", fetch: fetchAsUser });
      out[u.email] = r.written.length;
      if (r.failed.length) ctx.log.warn("export folder: some notebooks were not written", { user: u.email, failed: r.failed.map((f) => f.name) });
    } catch (e) {
      ctx.log.error("export folder failed", { user: u.email, error: e as Error });
    } finally {
      logout(ctx, s.sessionToken);
    }
  }
  return out;
}
