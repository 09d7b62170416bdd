import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { decidePairing as decide, pairingInfo } from "../../../services/accounts/pairing.ts";

/** GET /api/v1/pairing/:code — what is asking to pair (for the approval UI). */
export function showPairing(ctx: AppContext, auth: Auth, code: string) {
  return pairingInfo(ctx, code, auth.user.id);
}

/** POST /api/v1/pairing/:code/approve|deny — the logged-in user decides. */
export function decidePairing(ctx: AppContext, auth: Auth, code: string, approve: boolean) {
  return decide(ctx, auth.user.id, code, approve);
}
