// Per-token request pacing for Notion (~3 requests/s per integration, DESIGN.md §6). Each key
// (a hash of the token) gets evenly spaced slots; a 429's Retry-After pushes that key's next slot
// out so every request with the same token waits, not only the one that was refused.

export class NotionRateLimiter {
  private readonly next = new Map<string, number>();
  private readonly intervalMs: number;

  constructor(
    requestsPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => Bun.sleep(ms),
  ) {
    this.intervalMs = 1000 / Math.max(0.001, requestsPerSecond);
  }

  /** Wait for this key's next slot. */
  async acquire(key: string): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, at + this.intervalMs);
    if (at > now) await this.sleep(at - now);
  }

  /** The server asked us to hold off `ms` (Retry-After): no request with this key before then. */
  pause(key: string, ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if ((this.next.get(key) ?? 0) < until) this.next.set(key, until);
  }

  /** Milliseconds until this key's next free slot (0 = now). */
  delay(key: string): number {
    return Math.max(0, (this.next.get(key) ?? 0) - this.now());
  }
}
