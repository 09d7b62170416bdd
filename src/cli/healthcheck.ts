// `rmirror healthcheck [--url URL]`: exit 0 when the server's /healthz answers 200, else 1.
// For container HEALTHCHECKs and service managers (the slim image has no curl).
import { parse, UsageError } from "./args.ts";

export async function run(argv: string[]): Promise<number> {
  let url: string;
  try {
    const { values } = parse(argv, { url: { type: "string" }, timeout: { type: "string", default: "5" } });
    const port = process.env.RMIRROR_PORT || "8080";
    url = values.url ?? `http://127.0.0.1:${port}/healthz`;
    const seconds = Number(values.timeout);
    const res = await fetch(url, { signal: AbortSignal.timeout((Number.isFinite(seconds) && seconds > 0 ? seconds : 5) * 1000) });
    const body = await res.text();
    if (res.status === 200) return 0;
    console.error(`rmirror healthcheck: ${url} answered ${res.status}: ${body.slice(0, 300)}`);
    return 1;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`rmirror healthcheck: ${e.message}\nUsage: rmirror healthcheck [--url http://127.0.0.1:8080/healthz] [--timeout 5]`);
      return 2;
    }
    console.error(`rmirror healthcheck: ${(e as Error).message}`);
    return 1;
  }
}
