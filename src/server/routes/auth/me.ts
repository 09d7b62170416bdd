import { publicUser, type Auth } from "../../../services/accounts/accounts.ts";

/** GET /api/v1/auth/me — who am I, how, and the CSRF token for cookie/header auth. */
export function me(auth: Auth) {
  return { user: publicUser(auth.user), via: auth.via, csrfToken: auth.csrfToken };
}
