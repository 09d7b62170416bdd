// Issue 11 item 4: login limiting counts before verifying, bounds concurrent verifications, and is
// keyed per account and client, so one account's attacker never locks out another account —
// even when every user arrives from 127.0.0.1 (tailscale serve, a reverse proxy).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createUser, login } from "../../src/services/accounts/accounts.ts";
import { LoginGuard, Semaphore } from "../../src/services/accounts/login-guard.ts";
import { AppError } from "../../src/errors.ts";
import { call, harness, json, type Harness } from "../support/server-harness.ts";

const LIMIT = 10;

describe("password login under attack", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ overrides: { loginMaxFailures: LIMIT } });
    await createUser(h.ctx, "victim@example.com", "victim password", false);
    await createUser(h.ctx, "neighbour@example.com", "neighbour password", false);
  });
  afterAll(() => h.close());

  test("60 parallel wrong passwords: at most the limit are verified, the rest are refused at once", async () => {
    const gate = Promise.withResolvers<void>();
    const attempts = Array.from({ length: 60 }, async (_, i) => {
      await gate.promise; // barrier: all 60 are in flight together
      const res = await call(h, "POST", "/api/v1/auth/login", { json: { email: "victim@example.com", password: `guess ${i}` } });
      return { status: res.status, code: (await json(res)).error?.code as string };
    });
    gate.resolve();
    const results = await Promise.all(attempts);
    const verified = results.filter((r) => r.code === "invalid_credentials").length; // a 401 means the password was checked
    const refused = results.filter((r) => r.status === 429 && r.code === "rate_limited").length;
    expect(verified).toBeLessThanOrEqual(LIMIT);
    expect(verified + refused).toBe(60);
  });

  test("afterwards another account from the same client (everyone is 127.0.0.1 behind a proxy) still logs in", async () => {
    const res = await call(h, "POST", "/api/v1/auth/login", { json: { email: "neighbour@example.com", password: "neighbour password" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toContain("rmirror_session=");
    // The attacked account from that same client is the one that waits (documented trade-off).
    const victim = await call(h, "POST", "/api/v1/auth/login", { json: { email: "victim@example.com", password: "victim password" } });
    expect(victim.status).toBe(429);
    expect(Number(victim.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("the victim can still log in from another client until the account-wide limit", async () => {
    const s = await login(h.ctx, "victim@example.com", "victim password", "100.64.0.7");
    expect(s.user.email).toBe("victim@example.com");
  });
});

describe("limits across clients (a small limit keeps the argon2 work short)", () => {
  const SMALL = 2;
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ overrides: { loginMaxFailures: SMALL } });
    await createUser(h.ctx, "neighbour@example.com", "neighbour password", false);
  });
  afterAll(() => h.close());

  test("failures spread over many clients lock only that account, at 5× the per-client limit", async () => {
    await createUser(h.ctx, "spread@example.com", "spread password", false);
    const outcomes: string[] = [];
    for (let i = 0; i < SMALL * 5; i++) {
      const e = await login(h.ctx, "spread@example.com", "wrong", `100.64.1.${i}`).catch((e: AppError) => e);
      outcomes.push((e as AppError).code);
    }
    expect(outcomes.every((c) => c === "invalid_credentials")).toBe(true);
    const locked = await login(h.ctx, "spread@example.com", "spread password", "100.64.2.1").catch((e: AppError) => e);
    expect((locked as AppError).code).toBe("rate_limited");
    // Nobody else is affected, from any of those clients.
    expect((await login(h.ctx, "neighbour@example.com", "neighbour password", "100.64.1.3")).user.email).toBe("neighbour@example.com");
  });

  test("unknown accounts are limited exactly like real ones (no enumeration by 429 timing)", async () => {
    const codes: string[] = [];
    for (let i = 0; i < SMALL + 1; i++) codes.push(((await login(h.ctx, "nobody@example.com", "x", "100.64.3.1").catch((e: AppError) => e)) as AppError).code);
    expect(codes.slice(0, SMALL).every((c) => c === "invalid_credentials")).toBe(true);
    expect(codes[SMALL]).toBe("rate_limited");
  });
});

describe("bounded password verification", () => {
  test("at most 2 verifications run at once, 16 wait, the rest are refused immediately with login_busy", async () => {
    const guard = new LoginGuard({ maxPairFailures: 1000, maxAccountFailures: 1000, windowMs: 60_000, concurrentVerifications: 2, queuedVerifications: 16 });
    const release = Promise.withResolvers<void>();
    let running = 0;
    let peak = 0;
    const check = async () => {
      running++;
      peak = Math.max(peak, running);
      await release.promise;
      running--;
      return false;
    };
    const all = Array.from({ length: 40 }, () => guard.verify(check).then(() => "verified", (e: AppError) => e.code));
    // The 22 beyond 2 running + 16 waiting are settled before any verification finishes.
    const early = await Promise.all(all.slice(18));
    expect(early).toEqual(Array.from({ length: 22 }, () => "login_busy"));
    expect(guard.verifications.running).toBe(2);
    release.resolve();
    const rest = await Promise.all(all.slice(0, 18));
    expect(rest).toEqual(Array.from({ length: 18 }, () => "verified"));
    expect(peak).toBe(2);
    expect(guard.verifications.running).toBe(0);
  });

  test("a refused (busy) attempt does not count as a failure", () => {
    const guard = new LoginGuard({ maxPairFailures: 1, maxAccountFailures: 5, windowMs: 60_000, concurrentVerifications: 1, queuedVerifications: 0 });
    guard.begin("a@example.com", "c").notTried();
    expect(() => guard.begin("a@example.com", "c")).not.toThrow();
    expect(() => guard.begin("a@example.com", "c")).toThrow(AppError);
  });

  test("the semaphore hands a freed slot to the next waiter", async () => {
    const s = new Semaphore(1, 1);
    const order: string[] = [];
    const first = Promise.withResolvers<void>();
    const a = s.run(async () => {
      await first.promise;
      order.push("a");
    });
    const b = s.run(async () => {
      order.push("b");
    });
    expect(await s.run(async () => "c")).toBeNull();
    first.resolve();
    await Promise.all([a, b]);
    expect(order).toEqual(["a", "b"]);
  });
});
