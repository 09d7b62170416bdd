// The local status page on 127.0.0.1 (default port 9090). Not a hole: bound to loopback only;
// requests whose Host is not this loopback address, or whose Origin/Sec-Fetch-Site says another
// site, are refused (DNS rebinding, cross-site forms); every POST carries a per-process CSRF
// token. It never accepts a token: pairing happens only through `rmirror agent login`, which
// holds the pairing secret it asked for.
import { timingSafeEqual } from "node:crypto";
import type { Logger } from "../../src/log.ts";
import htmx from "../../public/htmx.min.js" with { type: "text" };
import type { AgentControl, AgentStatus, ServerCheck } from "./status.ts";
import { StatusPanel, StatusView } from "./view.tsx";

export interface StatusPage {
  url: string;
  port: number;
  stop(): void;
}

export interface StatusPageOptions {
  port: number;
  server: string;
  folder: string;
  exclude: string[];
  onSettings?: ((s: { server: string; folder: string; exclude: string[]; vault: string }) => void) | undefined;
  log: Logger;
  quota?: () => Promise<AgentStatus["quota"]>;
  /** Ask the server whether it answers this agent (and its quota); the page does so every 10 s at most. */
  probe?: () => Promise<ServerCheck>;
}

/** The page's whole state: its settings, the agent's sync state, the quota, this process's memory. */
export function agentStatus(agent: AgentControl, o: Pick<StatusPageOptions, "server" | "folder" | "exclude">, quota?: AgentStatus["quota"], serverCheck?: ServerCheck): AgentStatus {
  return {
    server: o.server,
    folder: o.folder,
    exclude: o.exclude,
    ...agent.syncState(),
    quota,
    serverCheck,
    memory: (() => {
      const m = process.memoryUsage();
      return { rssMB: Math.round(m.rss / 1e5) / 10, heapMB: Math.round(m.heapUsed / 1e5) / 10 };
    })(),
  };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether a request may be served: loopback Host, and no foreign Origin / cross-site fetch. */
export function allowedRequest(req: Request, port: number): boolean {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const host = req.headers.get("host") ?? "";
  if (!hosts.has(host.toLowerCase())) return false;
  const origin = req.headers.get("origin");
  if (origin && origin !== "null" && !hosts.has(origin.toLowerCase().replace(/^http:\/\//, ""))) return false;
  if (origin === "null") return false;
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  return true;
}

export function startStatusPage(agent: AgentControl, o: StatusPageOptions): StatusPage {
  const csrf = crypto.randomUUID().replace(/-/g, "") + crypto.randomUUID().replace(/-/g, "");
  let quota: AgentStatus["quota"];
  let quotaAt = 0;
  let check: ServerCheck | undefined;
  let checkAt = 0;
  const refreshQuota = async () => {
    if (o.probe && Date.now() - checkAt >= 10_000) {
      checkAt = Date.now();
      check = await o.probe().catch((e) => ({ state: "unreachable" as const, error: (e as Error)?.message }));
      if (check.quota) quota = check.quota;
      return;
    }
    if (o.probe || !o.quota || Date.now() - quotaAt < 60_000) return;
    quotaAt = Date.now();
    quota = await o.quota().catch(() => undefined);
  };
  const html = (body: string, status = 200) => new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "x-frame-options": "DENY", "content-security-policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'" } });
  const server: ReturnType<typeof Bun.serve> = Bun.serve({
    hostname: "127.0.0.1",
    port: o.port,
    async fetch(req): Promise<Response> {
      const port: number = server.port!;
      if (!allowedRequest(req, port)) return new Response("forbidden: this page only answers http://127.0.0.1:" + port, { status: 403 });
      const url = new URL(req.url);
      if (req.method === "GET" && url.pathname === "/") {
        await refreshQuota();
        return html(StatusView({ s: agentStatus(agent, o, quota, check), csrf }));
      }
      if (req.method === "GET" && url.pathname === "/panel") {
        await refreshQuota();
        return html(StatusPanel({ s: agentStatus(agent, o, quota, check), csrf }));
      }
      if (req.method === "GET" && url.pathname === "/htmx.min.js") return new Response(htmx, { headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=86400", "x-content-type-options": "nosniff" } });
      if (req.method === "GET" && url.pathname === "/api/status") return Response.json(agentStatus(agent, o, quota, check));
      if (req.method !== "POST") return new Response("not found", { status: 404 });
      const form = await req.formData().catch(() => undefined);
      const token = String(form?.get("csrf") ?? req.headers.get("x-csrf-token") ?? "");
      if (!sameToken(token, csrf)) return new Response("forbidden: missing or wrong CSRF token", { status: 403 });
      switch (url.pathname) {
        case "/pause":
          agent.setPaused(true);
          break;
        case "/resume":
          agent.setPaused(false);
          break;
        case "/rescan":
          await agent.rescan();
          break;
        case "/retry": {
          agent.retry(String(form?.get("uuid") ?? "*"));
          break;
        }
        case "/settings": {
          const serverUrl = String(form?.get("server") ?? "").trim();
          const folder = String(form?.get("folder") ?? "").trim();
          const exclude = String(form?.get("exclude") ?? "")
            .split(/\r?\n/)
            .map((s) => s.trim())
            .filter(Boolean);
          if (!/^https?:\/\/[^\s]+$/.test(serverUrl) || !folder) return html("<p>Server must be an http(s) URL and the folder must be set. <a href='/'>Back</a></p>", 400);
          const vault = String(form?.get("vault") ?? "").trim();
          // After the answer is out: saving restarts the agent, and this page with it.
          setTimeout(() => o.onSettings?.({ server: serverUrl, folder, exclude, vault }), 100);
          break;
        }
        default:
          return new Response("not found", { status: 404 });
      }
      return new Response(null, { status: 303, headers: { location: "/" } });
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  o.log.info("agent status page", { url });
  return { url, port: server.port!, stop: () => server.stop(true) };
}
