// GET/POST /pair — the plain HTML approval page a terminal pairing flow points the user to.
// Not logged in → redirect to /login?next=…; the decision form carries the CSRF token.
import type { Auth } from "../../../services/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { decidePairing, pairingInfo } from "../../../services/pairing.ts";
import { AppError } from "../../errors.ts";
import { escapeHtml, html, page } from "../../http.ts";

export function pairPage(ctx: AppContext, auth: Auth | null, code: string | undefined): Response {
  if (!auth) return new Response(null, { status: 303, headers: { location: `/login?next=${encodeURIComponent(`/pair?code=${code ?? ""}`)}` } });
  let info: ReturnType<typeof pairingInfo>;
  try {
    info = pairingInfo(ctx, code ?? "");
  } catch (e) {
    if (e instanceof AppError) return html(page("Pair a device", `<p class="err">${escapeHtml(e.message)}</p>`), e.status);
    throw e;
  }
  if (info.status !== "pending") return html(page("Pair a device", `<p>This request is <b>${escapeHtml(info.status)}</b>.</p>`));
  return html(
    page(
      "Pair a device",
      `<p>The device <b>${escapeHtml(info.deviceName)}</b> asks to sync as <b>${escapeHtml(auth.user.email)}</b>.</p>
<p>Check that your terminal shows the code <code>${escapeHtml(info.code)}</code>.</p>
<form method="post" action="/pair"><input type="hidden" name="code" value="${escapeHtml(info.code)}"><input type="hidden" name="csrf" value="${escapeHtml(auth.csrfToken ?? "")}">
<button name="decision" value="approve">Approve</button><button name="decision" value="deny">Deny</button></form>`,
    ),
  );
}

export function pairSubmit(ctx: AppContext, auth: Auth, body: Record<string, unknown>): Response {
  const code = typeof body.code === "string" ? body.code : "";
  const approve = body.decision === "approve";
  try {
    const r = decidePairing(ctx, auth.user.id, code, approve);
    return html(page("Pair a device", `<p>${approve ? "Approved" : "Denied"}: <b>${escapeHtml(r.deviceName)}</b>. ${approve ? "You can close this page; the device finishes pairing by itself." : ""}</p>`));
  } catch (e) {
    if (e instanceof AppError) return html(page("Pair a device", `<p class="err">${escapeHtml(e.message)}</p>`), e.status);
    throw e;
  }
}
