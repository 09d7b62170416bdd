import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { listChanges } from "./list-changes.ts";

export const changeRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:changes", prefix: "/api/v1/changes" })
    .use(authPlugin(ctx))
    .get("/", ({ auth, query }) => listChanges(ctx, auth, query), {
      auth: true,
      query: t.Object({ cursor: t.Optional(t.String({ maxLength: 40 })), limit: t.Optional(t.String({ maxLength: 8 })) }),
      detail: { tags: ["integrations"], summary: "Change feed: what changed since a cursor (docs/api.md)" },
    });
