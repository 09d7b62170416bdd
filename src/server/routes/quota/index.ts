import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authGate, authPlugin } from "../../auth/plugin.ts";
import { jsonBody } from "../../body.ts";
import { getQuota } from "./get-quota.ts";
import { setDefaultQuota, setUserQuota } from "./set-limit.ts";

const LimitSchema = t.Object({ limit: t.Union([t.Integer({ minimum: 0, maximum: 10_000_000 }), t.Literal("unlimited"), t.Literal("default")]) });

export const quotaRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:quota", prefix: "/api/v1/quota" })
    .use(authPlugin(ctx))
    .get("/", ({ auth }) => getQuota(ctx, auth), { auth: true, detail: { tags: ["ocr"], summary: "Monthly OCR quota and OCR state" } })
    .put("/users/:id", ({ auth, params, body }) => setUserQuota(ctx, auth, params.id, body), {
      auth: "admin",
      parse: jsonBody(ctx, { gate: authGate(ctx, "admin") }),
      body: LimitSchema,
      detail: { tags: ["ocr"], summary: "Admin: a user's monthly OCR page limit" },
    })
    .put("/default", ({ auth, body }) => setDefaultQuota(ctx, auth, body), {
      auth: "admin",
      parse: jsonBody(ctx, { gate: authGate(ctx, "admin") }),
      body: LimitSchema,
      detail: { tags: ["ocr"], summary: "Admin: the global monthly OCR page limit" },
    });
