// GET/POST /pair — the approval page a terminal pairing flow points the user to (dashboard layout).
// Not logged in → redirect to /login?next=…; the decision form carries the CSRF token.
import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo } from "../../../services/library/dashboard.ts";
import { decidePairing, pairingInfo } from "../../../services/accounts/pairing.ts";
import { PairPage, type PairView } from "../../../../views/pages/pair.tsx";
import { AppError } from "../../errors.ts";
import { dashboardHtml } from "../../http.ts";

function show(ctx: AppContext, auth: Auth, view: PairView, status = 200): Response {
  return dashboardHtml(PairPage({ header: headerInfo(ctx, auth), view }), status);
}

export function pairPage(ctx: AppContext, auth: Auth | null, code: string | undefined): Response {
  if (!auth) return new Response(null, { status: 303, headers: { location: `/login?next=${encodeURIComponent(`/pair?code=${code ?? ""}`)}` } });
  let info: ReturnType<typeof pairingInfo>;
  try {
    info = pairingInfo(ctx, code ?? "", auth.user.id);
  } catch (e) {
    if (e instanceof AppError) return show(ctx, auth, { kind: "error", message: e.message }, e.status);
    throw e;
  }
  if (info.status !== "pending") return show(ctx, auth, { kind: "status", status: info.status });
  return show(ctx, auth, { kind: "ask", code: info.code, deviceName: info.deviceName, email: auth.user.email });
}

export function pairSubmit(ctx: AppContext, auth: Auth, body: Record<string, unknown>): Response {
  const code = typeof body.code === "string" ? body.code : "";
  const approve = body.decision === "approve";
  try {
    const r = decidePairing(ctx, auth.user.id, code, approve);
    return show(ctx, auth, { kind: "decided", approved: approve, deviceName: r.deviceName });
  } catch (e) {
    if (e instanceof AppError) return show(ctx, auth, { kind: "error", message: e.message }, e.status);
    throw e;
  }
}
