import { needsSetup, setupAdmin } from "../../../services/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { AppError } from "../../errors.ts";
import { escapeHtml, html, page, sameOrigin } from "../../http.ts";

function form(error?: string, email = ""): string {
  return page(
    "Set up rmirror",
    `<p>Create the administrator account.</p>${error ? `<p class="err">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/setup"><label>Email<input name="email" type="email" required value="${escapeHtml(email)}"></label>
<label>Password (8+ characters)<input name="password" type="password" minlength="8" required></label><button>Create admin</button></form>`,
  );
}

/** GET /setup — the first-run form (only while there are no users). */
export function setupPage(ctx: AppContext): Response {
  if (!needsSetup(ctx)) return html(page("Set up rmirror", `<p>Setup is complete. <a href="/login">Log in</a>.</p>`), 409);
  return html(form());
}

/** POST /setup — form submission. */
export async function setupSubmit(ctx: AppContext, request: Request, body: Record<string, unknown>): Promise<Response> {
  if (!sameOrigin(request)) throw new AppError("forbidden", "Cross-site form submission refused.");
  const email = typeof body.email === "string" ? body.email : "";
  const password = typeof body.password === "string" ? body.password : "";
  try {
    await setupAdmin(ctx, email, password);
  } catch (e) {
    if (e instanceof AppError && e.code !== "internal") return html(form(e.message, email), e.status);
    throw e;
  }
  return new Response(null, { status: 303, headers: { location: "/login" } });
}
