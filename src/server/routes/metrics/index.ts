import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { httpMetrics } from "../../../services/operations/metrics.ts";
import { toAppError } from "../../errors.ts";
import { getMetrics } from "./get-metrics.ts";

export const metricsRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:metrics" }).get("/metrics", ({ request, server }) => getMetrics(ctx, request, server), {
    detail: { tags: ["system"], summary: "Prometheus metrics (loopback, admin, or RMIRROR_METRICS_TOKEN)" },
  });

/**
 * Request count and latency for every route, keyed by the route *template* (bounded cardinality).
 * Registered once, first, in server/app.ts. afterResponse runs after the body is handed over.
 */
export function httpMetricsHook(ctx: AppContext) {
  const metrics = httpMetrics(ctx);
  const started = new WeakMap<Request, number>();
  return new Elysia()
    .onRequest(({ request }) => {
      started.set(request, performance.now());
    })
    .onAfterResponse({ as: "global" }, (c) => {
      const t0 = started.get(c.request);
      if (t0 === undefined) return;
      const x = c as unknown as { route?: string; responseValue?: unknown; error?: unknown; code?: string | number };
      let status: number;
      if (x.responseValue instanceof Response) status = x.responseValue.status;
      else if (x.error !== undefined || x.code !== undefined) status = toAppError(x.code ?? "UNKNOWN", x.error).status;
      else status = typeof c.set.status === "number" ? c.set.status : 200;
      metrics.observe(c.request.method, x.route || null, status, (performance.now() - t0) / 1000);
    });
}
