// Fixed-window failure counter per key (IP address, email). In memory: one process serves the
// appliance, and a restart resetting the counters is acceptable.

export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(readonly max: number, readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Seconds until `key` may try again, or 0 when it is not limited. */
  blockedFor(key: string): number {
    const h = this.hits.get(key);
    if (!h) return 0;
    const now = this.now();
    if (h.resetAt <= now) {
      this.hits.delete(key);
      return 0;
    }
    return h.count >= this.max ? Math.ceil((h.resetAt - now) / 1000) : 0;
  }

  hit(key: string): void {
    const now = this.now();
    const h = this.hits.get(key);
    if (!h || h.resetAt <= now) this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
    else h.count++;
    if (this.hits.size > 100_000) this.sweep(now);
  }

  /** Take back one hit (an attempt counted in advance that turned out not to be a failure). */
  undo(key: string): void {
    const h = this.hits.get(key);
    if (h && --h.count <= 0) this.hits.delete(key);
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(now: number): void {
    for (const [k, h] of this.hits) if (h.resetAt <= now) this.hits.delete(k);
  }
}
