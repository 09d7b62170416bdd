// Password-login limiting (issue 11, item 4; the decision is in docs/security.md, "Requests and
// limits"). Two rules:
//   1. An attempt is counted *before* its password is verified, synchronously, so N parallel
//      attempts can never all slip under a limit of 10 while the slow argon2 verify runs.
//   2. Failures are keyed per account *and client* (pair) and per account (all clients), never per
//      client alone: behind `tailscale serve` or a reverse proxy every user is 127.0.0.1, so a
//      client-wide lockout would let one account's attacker lock out every other account.
// Password verification itself (argon2id, ~all of one core for tens of ms) runs through a small
// semaphore; when it is full and its short queue too, the attempt is refused at once (503).
import { AppError } from "../../errors.ts";
import { RateLimiter } from "./rate-limit.ts";

/** At most `max` tasks at once, `maxWaiting` more queued; beyond that `run` refuses immediately. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number, readonly maxWaiting: number) {}

  get running(): number {
    return this.active;
  }

  /** Run `fn` when a slot is free; null (without running it) when the queue is full. */
  async run<T>(fn: () => Promise<T>): Promise<{ value: T } | null> {
    if (this.active >= this.max) {
      if (this.waiting.length >= this.maxWaiting) return null;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return { value: await fn() };
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.active--;
    }
  }
}

export interface LoginGuardOptions {
  /** Failures of one account from one client per window (RMIRROR_LOGIN_MAX_FAILURES). */
  maxPairFailures: number;
  /** Failures of one account from all clients together per window. */
  maxAccountFailures: number;
  windowMs: number;
  /** Password verifications at once, and how many may wait for a slot. */
  concurrentVerifications: number;
  queuedVerifications: number;
  now?: () => number;
}

/** A login attempt that has been counted; settle it with `succeeded()` once the password matched. */
export interface Attempt {
  succeeded(): void;
  /** The password was never checked (the server was too busy): the attempt does not count. */
  notTried(): void;
}

export class LoginGuard {
  readonly pairs: RateLimiter;
  readonly accounts: RateLimiter;
  readonly verifications: Semaphore;

  constructor(readonly opts: LoginGuardOptions) {
    this.pairs = new RateLimiter(opts.maxPairFailures, opts.windowMs, opts.now);
    this.accounts = new RateLimiter(opts.maxAccountFailures, opts.windowMs, opts.now);
    this.verifications = new Semaphore(opts.concurrentVerifications, opts.queuedVerifications);
  }

  static pairKey(account: string, client: string): string {
    return `${client}\n${account}`;
  }

  /**
   * Count an attempt for `account` from `client` before anything slow happens. Throws 429 when
   * either limit is reached (counting in-flight attempts, so parallel requests see each other).
   */
  begin(account: string, client: string): Attempt {
    const pair = LoginGuard.pairKey(account, client);
    const wait = Math.max(this.pairs.blockedFor(pair), this.accounts.blockedFor(account));
    if (wait > 0) throw new AppError("rate_limited", `Too many failed logins for this account; try again in ${wait} s.`, { retryAfterSeconds: wait }, { "retry-after": String(wait) });
    this.pairs.hit(pair);
    this.accounts.hit(account);
    let settled = false;
    return {
      succeeded: () => {
        if (settled) return;
        settled = true;
        // The right password: this client's failures for the account are forgiven, and this
        // attempt does not count against the account.
        this.pairs.reset(pair);
        this.accounts.undo(account);
      },
      notTried: () => {
        if (settled) return;
        settled = true;
        this.pairs.undo(pair);
        this.accounts.undo(account);
      },
    };
  }

  /** Verify a password through the semaphore; 503 login_busy at once when it is saturated. */
  async verify(check: () => Promise<boolean>): Promise<boolean> {
    const r = await this.verifications.run(check);
    if (!r) throw new AppError("login_busy", undefined, undefined, { "retry-after": "1" });
    return r.value;
  }
}
