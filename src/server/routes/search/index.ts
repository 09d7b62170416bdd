import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { search } from "./search.ts";

export const searchRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:search", prefix: "/api/v1/search" })
    .use(authPlugin(ctx))
    .get("/", ({ auth, query }) => search(ctx, auth, query), { auth: true, detail: { tags: ["library"], summary: "Full-text search: handwriting (OCR), typed text, highlights, names" } });
