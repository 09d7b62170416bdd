// The HTTP application: only `.use()`s the feature plugins, so every route is visible here.
import { Elysia, type AnyElysia } from "elysia";
import { apiDocs } from "./api-docs.ts";
import type { AppContext } from "../services/context.ts";
import { errorHandler } from "./errors.ts";
import { errorPageHeader } from "./error-page-header.ts";
import { pathEncodingGuard } from "./path-encoding.ts";
import { authRoutes } from "./routes/auth/index.ts";
import { blobRoutes } from "./routes/blobs/index.ts";
import { documentRoutes } from "./routes/documents/index.ts";
import { folderRoutes } from "./routes/folders/index.ts";
import { healthRoutes } from "./routes/health/index.ts";
import { httpMetricsHook, metricsRoutes } from "./routes/metrics/index.ts";
import { importRoutes } from "./routes/import/index.ts";
import { jobRoutes } from "./routes/jobs/index.ts";
import { mcpRoutes } from "./routes/mcp/index.ts";
import { todoistRoutes } from "./routes/todoist/index.ts";
import { pairingRoutes } from "./routes/pairing/index.ts";
import { setupRoutes } from "./routes/setup/index.ts";
import { tokenRoutes } from "./routes/tokens/index.ts";
import { notificationRoutes } from "./routes/notifications/index.ts";
import { ocrRoutes } from "./routes/ocr/index.ts";
import { quotaRoutes } from "./routes/quota/index.ts";
import { searchRoutes } from "./routes/search/index.ts";
import { todoRoutes } from "./routes/todos/index.ts";
import { notionRoutes } from "./routes/notion/index.ts";
import { dashboardRoutes } from "./routes/dashboard/index.ts";
import { downloadRoutes } from "./routes/downloads/index.ts";
import { agentRoutes } from "./routes/agent/index.ts";
import { changeRoutes } from "./routes/changes/index.ts";
import { webhookRoutes } from "./routes/webhooks/index.ts";

export interface AppOptions {
  /** True while shutting down (healthz answers 503). */
  draining?: () => boolean;
  /** Answers /api/openapi.json and /api/docs (default: apiDocs(), the plugin's code loaded on first request; the test passes the plugin itself). */
  apiDocs?: AnyElysia;
}

export function createApp(ctx: AppContext, opts: AppOptions = {}) {
  return new Elysia({ name: "rmirror" })
    .use(errorHandler(ctx.log, ctx.config.quota.timezone, errorPageHeader(ctx)))
    .use(pathEncodingGuard)
    .use(httpMetricsHook(ctx))
    .use(opts.apiDocs ?? apiDocs())
    .use(healthRoutes(ctx, opts.draining ?? (() => false)))
    .use(metricsRoutes(ctx))
    .use(setupRoutes(ctx))
    .use(authRoutes(ctx))
    .use(tokenRoutes(ctx))
    .use(pairingRoutes(ctx))
    .use(downloadRoutes(ctx))
    .use(agentRoutes(ctx))
    .use(documentRoutes(ctx))
    .use(blobRoutes(ctx))
    .use(folderRoutes(ctx))
    .use(importRoutes(ctx))
    .use(jobRoutes(ctx))
    .use(ocrRoutes(ctx))
    .use(quotaRoutes(ctx))
    .use(searchRoutes(ctx))
    .use(todoRoutes(ctx))
    .use(notificationRoutes(ctx))
    .use(notionRoutes(ctx))
    .use(mcpRoutes(ctx))
    .use(todoistRoutes(ctx))
    .use(changeRoutes(ctx))
    .use(webhookRoutes(ctx))
    .use(dashboardRoutes(ctx));
}

export type App = ReturnType<typeof createApp>;
