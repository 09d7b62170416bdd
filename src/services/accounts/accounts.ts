// Users, passwords, sessions, first-run setup and request authentication.
import { AppError } from "../../errors.ts";
import type { UserRow } from "../../storage/users.ts";
import { splitList } from "../../config/schema.ts";
import type { AppContext } from "../context.ts";
import { hashToken, hmac, randomToken, safeEqual } from "./crypto.ts";
import { isTailnetAddress, type WhoisAnswer } from "./tailscale-whois.ts";
import { isIP } from "node:net";

export const SESSION_COOKIE = "rmirror_session";
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export interface PublicUser {
  id: number;
  email: string;
  isAdmin: boolean;
  createdAt: string;
}

export function publicUser(u: UserRow): PublicUser {
  return { id: u.id, email: u.email, isAdmin: u.is_admin === 1, createdAt: new Date(u.created_at).toISOString() };
}

export function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!EMAIL_RE.test(e)) throw new AppError("bad_email");
  return e;
}

function checkPassword(pw: string): void {
  if (pw.length < 8 || pw.length > 1024) throw new AppError("weak_password");
}

export async function hashPassword(pw: string): Promise<string> {
  return Bun.password.hash(pw, { algorithm: "argon2id" });
}

export async function createUser(ctx: AppContext, email: string, password: string | null, isAdmin: boolean): Promise<UserRow> {
  const e = normaliseEmail(email);
  if (password !== null) checkPassword(password);
  const hash = password === null ? null : await hashPassword(password);
  if (ctx.store.userByEmail(e)) throw new AppError("email_taken");
  try {
    return ctx.store.insertUser({ email: e, passwordHash: hash, isAdmin });
  } catch (err) {
    if (String(err).includes("UNIQUE")) throw new AppError("email_taken");
    throw err;
  }
}

export async function setPassword(ctx: AppContext, email: string, password: string): Promise<void> {
  checkPassword(password);
  const u = ctx.store.userByEmail(normaliseEmail(email));
  if (!u) throw new AppError("user_not_found");
  const hash = await hashPassword(password);
  ctx.store.tx(() => {
    ctx.store.setUserPassword(u.id, hash);
    ctx.store.deleteUserSessions(u.id);
  });
}

export function needsSetup(ctx: AppContext): boolean {
  return ctx.store.countUsers() === 0;
}

/** First-run setup: create the admin, only while there are no users at all. */
export async function setupAdmin(ctx: AppContext, email: string, password: string): Promise<UserRow> {
  const e = normaliseEmail(email);
  checkPassword(password);
  const hash = await hashPassword(password);
  return ctx.store.tx(() => {
    if (ctx.store.countUsers() > 0) throw new AppError("already_set_up");
    return ctx.store.insertUser({ email: e, passwordHash: hash, isAdmin: true });
  });
}

/** RMIRROR_ADMIN_EMAIL/PASSWORD at boot: create the admin when the database has no users. */
export async function ensureAdminFromConfig(ctx: AppContext): Promise<UserRow | null> {
  const { adminEmail, adminPassword } = ctx.config;
  if (!adminEmail || !adminPassword || !needsSetup(ctx)) return null;
  try {
    const u = await setupAdmin(ctx, adminEmail, adminPassword);
    ctx.log.info("created the admin user from configuration", { email: u.email });
    return u;
  } catch (e) {
    if (e instanceof AppError && e.code === "already_set_up") return null;
    throw e;
  }
}

// A fixed argon2id hash to verify against when the email is unknown, so timing does not reveal
// which emails exist.
let dummyHash: Promise<string> | null = null;

/**
 * Check a login; returns a new session. The attempt is counted before the password is verified
 * (per account from this client, and per account), and verification is bounded (login-guard.ts).
 */
export async function login(ctx: AppContext, email: string, password: string, ip: string): Promise<{ user: UserRow; sessionToken: string; csrfToken: string; expiresAt: number }> {
  const account = email.trim().toLowerCase();
  const attempt = ctx.loginGuard.begin(account, ip);
  const user = EMAIL_RE.test(account) ? ctx.store.userByEmail(account) : null;
  dummyHash ??= hashPassword(randomToken());
  const hash = user?.password_hash ?? (await dummyHash);
  let ok: boolean;
  try {
    ok = (await ctx.loginGuard.verify(() => Bun.password.verify(password, hash).catch(() => false))) && !!user?.password_hash;
  } catch (e) {
    attempt.notTried();
    throw e;
  }
  if (!user || !ok) throw new AppError("invalid_credentials");
  attempt.succeeded();
  return { user, ...createSession(ctx, user.id) };
}

export function createSession(ctx: AppContext, userId: number): { sessionToken: string; csrfToken: string; expiresAt: number } {
  const sessionToken = randomToken();
  const idHash = hashToken(sessionToken);
  const expiresAt = Date.now() + ctx.config.sessionDays * 86_400_000;
  ctx.store.insertSession(idHash, userId, expiresAt);
  return { sessionToken, csrfToken: csrfForSession(ctx, idHash), expiresAt };
}

export function logout(ctx: AppContext, sessionToken: string): void {
  ctx.store.deleteSession(hashToken(sessionToken));
}

export function csrfForSession(ctx: AppContext, sessionHash: string): string {
  return hmac(ctx.secret, `session:${sessionHash}`);
}

export function csrfForUser(ctx: AppContext, userId: number): string {
  return hmac(ctx.secret, `header-user:${userId}`);
}

// ---------------------------------------------------------------------------------------------
// Request authentication

export type AuthVia = "session" | "token" | "tailscale";

export interface Auth {
  user: UserRow;
  via: AuthVia;
  /** CSRF token the client must echo in X-CSRF-Token on state-changing requests (cookie/header auth). */
  csrfToken: string | null;
  tokenId: number | null;
  sessionHash: string | null;
}

export interface AuthInput {
  method: string;
  authorization: string | null;
  sessionCookie: string | null;
  csrfHeader: string | null;
  /** Tailscale-User-Login, already RFC 2047-decoded; null when absent or malformed. */
  tailscaleLogin: string | null;
  /** The request's Host (header, else the URL's host). */
  host: string | null;
  /** Peer address of the TCP connection, null when unknown (in-process requests). */
  peerIp: string | null;
  /** X-Forwarded-For as received (`tailscale serve` sets it to the client's tailnet address); null when absent. */
  forwardedFor?: string | null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isLoopback(ip: string | null): boolean {
  if (!ip) return false;
  return ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.");
}

/** Who is calling, or null when nobody is. Throws on a bad token or a failed CSRF check. */
export async function authenticate(ctx: AppContext, input: AuthInput): Promise<Auth | null> {
  if (input.authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(input.authorization.trim());
    if (!m) throw new AppError("invalid_token", "Authorization must be \"Bearer <device token>\".");
    const row = ctx.store.liveDeviceTokenByHash(hashToken(m[1]!));
    if (!row) throw new AppError("invalid_token");
    const user = ctx.store.userById(row.user_id);
    if (!user) throw new AppError("invalid_token");
    const now = Date.now();
    if (!row.last_seen_at || now - row.last_seen_at > 60_000) ctx.store.touchDeviceToken(row.id, now);
    return { user, via: "token", csrfToken: null, tokenId: row.id, sessionHash: null };
  }
  let auth: Auth | null = null;
  if (input.sessionCookie) {
    const idHash = hashToken(input.sessionCookie);
    const s = ctx.store.liveSessionByHash(idHash);
    const user = s ? ctx.store.userById(s.user_id) : null;
    if (s && user) {
      if (Date.now() - s.last_seen_at > 60_000) ctx.store.touchSession(idHash);
      auth = { user, via: "session", csrfToken: csrfForSession(ctx, idHash), tokenId: null, sessionHash: idHash };
    }
  }
  if (!auth && ctx.config.tailscaleAuth) {
    const user = await tailscaleIdentity(ctx, input);
    if (user) auth = { user, via: "tailscale", csrfToken: csrfForUser(ctx, user.id), tokenId: null, sessionHash: null };
  }
  if (auth && !SAFE_METHODS.has(input.method.toUpperCase())) {
    if (!input.csrfHeader || !safeEqual(input.csrfHeader, auth.csrfToken!)) throw new AppError("csrf_failed");
  }
  return auth;
}

/** The client address `tailscale serve` reports: the last X-Forwarded-For entry, when it is an IP address. */
export function forwardedClient(xff: string | null | undefined): string | null {
  if (!xff) return null;
  const last = xff.split(",").at(-1)!.trim();
  return isIP(last) ? last : null;
}

const unmapV4 = (ip: string) => (ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

interface WhoisState {
  /** Whether the last ask reached tailscaled (null: not asked yet). */
  up: boolean | null;
  /** Refusals already logged (once each, bounded). */
  reported: Set<string>;
}
const whoisStates = new WeakMap<AppContext, WhoisState>();
function whoisState(ctx: AppContext): WhoisState {
  let s = whoisStates.get(ctx);
  if (!s) whoisStates.set(ctx, (s = { up: null, reported: new Set() }));
  return s;
}

/** One line for the admin's settings page about Tailscale sign-in and whois; null outside Tailscale mode. */
export function tailscaleStatus(ctx: AppContext): string | null {
  if (!ctx.config.tailscaleAuth) return null;
  const socket = ctx.config.tailscaleSocket;
  if (!ctx.tailscaleWhois) return "Tailscale sign-in: whois is off (RMIRROR_TAILSCALE_WHOIS=off); the header is trusted on the Host, loopback and allow-list rules alone.";
  const up = whoisState(ctx).up;
  if (up === true) return `Tailscale sign-in: tailscaled's whois answers (${socket}); every Tailscale login is checked against it.`;
  if (up === null) return `Tailscale sign-in: tailscaled's whois (${socket}) has not been asked yet.`;
  return ctx.config.tailscaleWhois === "require"
    ? `Tailscale sign-in: tailscaled's whois is not available (${socket}); Tailscale sign-in is refused until it answers (RMIRROR_TAILSCALE_WHOIS=require).`
    : `Tailscale sign-in: tailscaled's whois is not available (${socket}); the header is trusted on the Host, loopback and allow-list rules alone.`;
}

function reportOnce(ctx: AppContext, key: string, msg: string, fields: Record<string, unknown>): void {
  const { reported } = whoisState(ctx);
  if (reported.has(key) || reported.size >= 1000) return;
  reported.add(key);
  ctx.log.warn(msg, fields);
}

/**
 * Who a Tailscale-mode request is, or null (anonymous). The precondition is the request's Host
 * (the public URL's) and its peer: loopback (`tailscale serve`, with the header) or a tailnet
 * address (rmirror bound on the tailnet interface). Then tailscaled's whois is asked about the
 * client — the peer itself when it is a tailnet address, else the address serve puts in
 * X-Forwarded-For — and must name a user whose login is the header's; a tagged node or an
 * address tailscaled does not know is refused. When tailscaled cannot be asked, a loopback
 * request falls back to the header and the allow-list (unless RMIRROR_TAILSCALE_WHOIS=require);
 * a tailnet peer, which carries no trusted header, gets nothing.
 */
async function tailscaleIdentity(ctx: AppContext, input: AuthInput): Promise<UserRow | null> {
  if (!isPublicHost(ctx.config.publicUrl, input.host)) return null;
  const peer = input.peerIp ? unmapV4(input.peerIp) : null;
  const tailnetPeer = isTailnetAddress(peer);
  if (!tailnetPeer && !(isLoopback(input.peerIp) && input.tailscaleLogin)) return null;
  const mode = ctx.config.tailscaleWhois;
  if (!ctx.tailscaleWhois) return tailnetPeer ? null : tailscaleUser(ctx, input.tailscaleLogin!, false);
  const addr = tailnetPeer ? peer! : (forwardedClient(input.forwardedFor) ?? peer!);
  const answer: WhoisAnswer = await ctx.tailscaleWhois.lookup(unmapV4(addr));
  const state = whoisState(ctx);
  if (answer.kind === "unavailable") {
    if (state.up !== false) {
      state.up = false;
      ctx.log.warn(
        mode === "require" || tailnetPeer
          ? "tailscaled's whois is not available: Tailscale sign-in is refused until it answers"
          : "tailscaled's whois is not available: Tailscale-User-Login is trusted on the Host, loopback and allow-list rules alone",
        { socket: ctx.config.tailscaleSocket, reason: answer.reason },
      );
    }
    if (tailnetPeer || mode === "require") return null;
    return tailscaleUser(ctx, input.tailscaleLogin!, false);
  }
  if (state.up !== true) {
    if (state.up === false) ctx.log.info("tailscaled's whois answers again", { socket: ctx.config.tailscaleSocket });
    state.up = true;
  }
  if (answer.kind === "no-match") {
    reportOnce(ctx, `nomatch:${addr}`, "tailscaled's whois knows no node at the client address: Tailscale sign-in refused", { address: addr, login: input.tailscaleLogin });
    return null;
  }
  if (answer.kind === "tagged") {
    reportOnce(ctx, `tagged:${addr}`, "the client is a tagged Tailscale node (no user): Tailscale sign-in refused", { address: addr, node: answer.node, login: input.tailscaleLogin });
    return null;
  }
  if (input.tailscaleLogin && input.tailscaleLogin.trim().toLowerCase() !== answer.login.toLowerCase()) {
    reportOnce(ctx, `disagree:${addr}:${input.tailscaleLogin}`, "Tailscale-User-Login disagrees with tailscaled's whois for the client address: refused", {
      address: addr,
      header: input.tailscaleLogin,
      whois: answer.login,
    });
    return null;
  }
  return tailscaleUser(ctx, answer.login, true);
}

const HOST_RE = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Whether a Host header names the public URL's host (case and default port normalised). */
export function isPublicHost(publicUrl: string, host: string | null): boolean {
  if (!host || !HOST_RE.test(host)) return false;
  const pub = new URL(publicUrl);
  try {
    return new URL(`${pub.protocol}//${host}`).host === pub.host;
  } catch {
    return false;
  }
}

/** Whether RMIRROR_TAILSCALE_USERS lets this login have an account on its first visit. */
export function tailscaleLoginAllowed(ctx: AppContext, email: string): boolean {
  return splitList(ctx.config.tailscaleUsers).some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith("*@") ? email.endsWith(e.slice(1)) : e === email;
  });
}

const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
/** Logins already reported as refused (once each, not on every request of a page load). */
const refusedLogins = new Set<string>();

/**
 * The account named by a trusted Tailscale login: an existing user with that login, or a new one
 * when the login is on RMIRROR_TAILSCALE_USERS, or when whois confirmed it and
 * RMIRROR_TAILSCALE_PROVISION=whois (the very first account becomes admin). Any other login gets
 * nothing: a bare header never creates an account.
 */
function tailscaleUser(ctx: AppContext, login: string, confirmedByWhois: boolean): UserRow | null {
  if (CONTROL_RE.test(login)) return null;
  let email: string;
  try {
    email = normaliseEmail(login);
  } catch {
    return null;
  }
  const existing = ctx.store.userByEmail(email);
  if (existing) return existing;
  if (!tailscaleLoginAllowed(ctx, email) && !(confirmedByWhois && ctx.config.tailscaleProvision === "whois")) {
    if (!refusedLogins.has(email) && refusedLogins.size < 1000) {
      refusedLogins.add(email);
      ctx.log.warn("Tailscale login has no account and is not on RMIRROR_TAILSCALE_USERS: not signed in", { login: email, confirmedByWhois });
    }
    return null;
  }
  try {
    return ctx.store.tx(() => {
      const again = ctx.store.userByEmail(email);
      if (again) return again;
      const first = ctx.store.countUsers() === 0;
      const u = ctx.store.insertUser({ email, passwordHash: null, isAdmin: first, provisionedBy: "tailscale" });
      ctx.log.info("provisioned user from a Tailscale login", { email, admin: first, confirmedByWhois });
      return u;
    });
  } catch {
    return ctx.store.userByEmail(email) ?? null;
  }
}

export interface PasswordChange {
  /** The session making the change stays signed in (null: none, e.g. Tailscale header auth). */
  keepSessionHash: string | null;
  /** Also revoke every device token (agents must pair again). */
  revokeDeviceTokens: boolean;
}

/**
 * A signed-in user changes their password (the current one is checked when they have one). Every
 * other session ends, as in Gitea and Miniflux; device tokens are revoked only when asked, since
 * re-pairing every agent is a chore the user chooses. (The API route refuses device-token callers.)
 */
export async function changePassword(ctx: AppContext, userId: number, current: string | null, next: string, opts: PasswordChange): Promise<{ revokedDeviceTokens: number }> {
  const u = ctx.store.userById(userId);
  if (!u) throw new AppError("user_not_found");
  if (u.password_hash) {
    const ok = current ? await Bun.password.verify(current, u.password_hash).catch(() => false) : false;
    if (!ok) throw new AppError("invalid_credentials", "The current password is wrong.");
  }
  checkPassword(next);
  const hash = await hashPassword(next);
  return ctx.store.tx(() => {
    ctx.store.setUserPassword(u.id, hash);
    if (opts.keepSessionHash) ctx.store.deleteOtherUserSessions(u.id, opts.keepSessionHash);
    else ctx.store.deleteUserSessions(u.id);
    return { revokedDeviceTokens: opts.revokeDeviceTokens ? ctx.store.revokeUserDeviceTokens(u.id) : 0 };
  });
}
