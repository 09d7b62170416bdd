import type { AppContext } from "../../../services/context.ts";
import { metricsAllowedAnonymously, renderMetrics } from "../../../services/operations/metrics.ts";
import { resolveAuth } from "../../auth/plugin.ts";
import { AppError } from "../../errors.ts";
import { peerIp } from "../../http.ts";

const PROXY_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip", "tailscale-user-login", "tailscale-funnel-request"];

type PeerServer = { requestIP(r: Request): { address: string } | null } | null;

/**
 * GET /metrics — Prometheus text format. Allowed for: RMIRROR_METRICS_TOKEN as a bearer token,
 * a direct loopback caller (not through a proxy), or an admin (device token or session).
 */
export async function getMetrics(ctx: AppContext, request: Request, server: PeerServer): Promise<Response> {
  const authz = request.headers.get("authorization");
  const bearer = authz ? (/^Bearer\s+(\S+)$/i.exec(authz.trim())?.[1] ?? null) : null;
  const proxied = PROXY_HEADERS.some((h) => request.headers.has(h));
  if (!metricsAllowedAnonymously(ctx, { bearer, peerIp: peerIp(request, server), proxied })) {
    const auth = await resolveAuth(ctx, request, server);
    if (!auth) throw new AppError("unauthorized", "Metrics need an admin login, RMIRROR_METRICS_TOKEN as a bearer token, or a direct loopback connection.");
    if (auth.user.is_admin !== 1) throw new AppError("forbidden");
  }
  return new Response(renderMetrics(ctx), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } });
}
