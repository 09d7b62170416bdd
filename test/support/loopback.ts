// A fake outside service's HTTP server on a free loopback port.

/** Serves `fetch` on 127.0.0.1; sets the fake's `url` (with `path` appended) and its `close`. */
export function serveFake(fake: { url: string; close(): Promise<void> }, fetch: (req: Request) => Response | Promise<Response>, o: { idleTimeout: number; path?: string }): void {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: o.idleTimeout, fetch });
  fake.url = `http://127.0.0.1:${server.port}${o.path ?? ""}`;
  fake.close = async () => {
    await server.stop(true);
  };
}
