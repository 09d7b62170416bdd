import { needsSetup, setupAdmin } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { AppError } from "../../errors.ts";
import { dashboardHtml, sameOrigin } from "../../http.ts";
import { SetupPage } from "../../../../views/pages/auth.tsx";

function form(error?: string, email = ""): string {
  return SetupPage({ error, email });
}

/** GET /setup — the first-run form (only while there are no users). */
export function setupPage(ctx: AppContext): Response {
  if (!needsSetup(ctx)) return dashboardHtml(SetupPage({ done: true }), 409);
  return dashboardHtml(form());
}

/** POST /setup — form submission. */
export async function setupSubmit(ctx: AppContext, request: Request, body: Record<string, unknown>): Promise<Response> {
  if (!sameOrigin(request)) throw new AppError("forbidden", "Cross-site form submission refused.");
  const email = typeof body.email === "string" ? body.email : "";
  const password = typeof body.password === "string" ? body.password : "";
  try {
    await setupAdmin(ctx, email, password);
  } catch (e) {
    if (e instanceof AppError && e.code !== "internal") return dashboardHtml(form(e.message, email), e.status);
    throw e;
  }
  return new Response(null, { status: 303, headers: { location: "/login?done=setup" } });
}
