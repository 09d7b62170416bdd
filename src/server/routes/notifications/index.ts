import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { listNotifications } from "./list-notifications.ts";

export const notificationRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:notifications", prefix: "/api/v1/notifications" })
    .use(authPlugin(ctx))
    .get("/", ({ auth }) => listNotifications(ctx, auth), { auth: true, detail: { tags: ["ocr"], summary: "Notifications (quota at 90 % and 100 %)" } });
