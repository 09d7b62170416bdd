import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { healthz } from "./healthz.ts";

export const healthRoutes = (ctx: AppContext, draining: () => boolean) =>
  new Elysia({ name: "routes:health" }).get("/healthz", () => healthz(ctx, draining), {
    detail: { tags: ["system"], summary: "Liveness and dependency checks (db, storage)" },
  });
