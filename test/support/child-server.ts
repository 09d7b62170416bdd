// Run `rmirror serve` as a real child process (for crash and shutdown tests).
import { resolve } from "node:path";

/** How long a child server may take to start before the test gives up (hang guard). */
const START_GUARD_MS = 100_000;

export interface ChildServer {
  proc: ReturnType<typeof Bun.spawn>;
  url: string;
  logs: string[];
}

const SERVE = resolve(import.meta.dir, "../../src/cli/serve.ts");

export async function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const proc = Bun.spawn([process.execPath, SERVE], {
    env: { ...process.env, RMIRROR_HOST: "127.0.0.1", RMIRROR_PORT: "0", RMIRROR_LOG_LEVEL: "info", ...env },
    stdout: "ignore",
    stderr: "pipe",
  });
  const logs: string[] = [];
  const ready = Promise.withResolvers<string>();
  (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of proc.stderr as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        logs.push(line);
        try {
          const rec = JSON.parse(line);
          if (rec.msg === "rmirror serving") ready.resolve(rec.url);
        } catch {
          /* not JSON */
        }
      }
    }
    ready.reject(new Error(`server exited before listening:\n${logs.join("\n")}`));
  })();
  // A hang guard, not a speed check: on a loaded machine a cold start can take many seconds.
  const timer = setTimeout(() => ready.reject(new Error(`server did not start in ${START_GUARD_MS / 1000} s`)), START_GUARD_MS);
  const url = await ready.promise.finally(() => clearTimeout(timer));
  return { proc, url, logs };
}
