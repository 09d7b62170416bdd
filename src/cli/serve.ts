// `rmirror serve` — run the home-server appliance (config from env / RMIRROR_CONFIG / --config).
import { parseArgs } from "node:util";
import { ConfigError, describeConfig, loadConfig } from "../config/schema.ts";
import { startServer } from "../server/boot.ts";

const HELP = `Usage: rmirror serve [--config file.json] [--host H] [--port N] [--data DIR]

Runs the HTTP API, the job workers and housekeeping. Settings (environment over config file over defaults):
${describeConfig()}
`;

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { config: { type: "string" }, host: { type: "string" }, port: { type: "string" }, data: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`serve: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let config;
  try {
    config = loadConfig({
      ...(args.config ? { file: args.config } : {}),
      overrides: { host: args.host, port: args.port, dataDir: args.data },
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  let running;
  try {
    running = await startServer(config);
  } catch (e) {
    process.stderr.write(`serve: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  const done = Promise.withResolvers<number>();
  const shutdown = (sig: string) => {
    running.ctx.log.info("signal received", { signal: sig });
    running.stop().then(
      () => done.resolve(0),
      (e) => {
        process.stderr.write(`serve: shutdown failed: ${(e as Error).message}\n`);
        done.resolve(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  return done.promise;
}

if (import.meta.main) process.exit(await run(process.argv.slice(2)));
