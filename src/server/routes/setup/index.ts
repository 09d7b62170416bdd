import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { formBody, jsonBody } from "../../body.ts";
import { setupApi } from "./setup-api.ts";
import { setupPage, setupSubmit } from "./setup-page.ts";

export const setupRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:setup" })
    .post("/api/v1/setup", ({ body }) => setupApi(ctx, body), {
      parse: jsonBody(ctx),
      body: t.Object({ email: t.String({ maxLength: 320 }), password: t.String({ maxLength: 1024 }) }),
      detail: { tags: ["accounts"], summary: "First-run setup: create the admin (only when no user exists)" },
    })
    .get("/setup", () => setupPage(ctx), { detail: { hide: true } })
    .post("/setup", ({ request, body }) => setupSubmit(ctx, request, (body ?? {}) as Record<string, unknown>), { parse: formBody(), detail: { hide: true } });
