// Who is looking at an error page: the signed-in user's dashboard header (navigation, search,
// account), so a dead link inside the dashboard is not a dead end. Identity only, as for a GET.
import { headerInfo } from "../services/library/dashboard.ts";
import type { AppContext } from "../services/context.ts";
import { resolveAuth } from "./auth/plugin.ts";
import type { ErrorPageHeader } from "./errors.ts";

export const errorPageHeader =
  (ctx: AppContext): ErrorPageHeader =>
  async (request, server) => {
    const auth = await resolveAuth(ctx, new Request(request.url, { method: "GET", headers: request.headers }), server);
    return auth ? headerInfo(ctx, auth) : null;
  };
