// How the admin and client subcommands answer before they do any work: --help (exit 0, on stdout),
// an unknown flag or a stray argument (exit 2: "<command>: <why>" and the help on stderr), a bad
// setting checked before the config is read, and a config that cannot be loaded (exit 2, the
// config's message). In-process, against the commands' own run functions.
import { expect, test } from "bun:test";
import { run as gc } from "../../src/cli/gc.ts";
import { run as importCli } from "../../src/cli/import.ts";
import { run as ocr } from "../../src/cli/ocr.ts";
import { run as user } from "../../src/cli/user.ts";
import { run as verify } from "../../src/cli/verify.ts";
import { runCaptured as capture } from "../support/cli.ts";

const reread = (argv: string[]) => ocr(["reread", ...argv]);
const commands = [
  { name: "gc", run: gc, usage: "Usage: rmirror gc " },
  { name: "verify", run: verify, usage: "Usage: rmirror verify " },
  { name: "ocr reread", run: reread, usage: "Usage: rmirror ocr reread " },
  { name: "user", run: user, usage: "Usage:\n  rmirror user add " },
  { name: "import", run: importCli, usage: "Usage: rmirror import " },
];
const opensDatabase = commands.filter((c) => c.name !== "import");

for (const c of commands) {
  test(`${c.name}: --help prints the usage on stdout, exit 0`, async () => {
    const r = await capture(c.run, c.name === "user" ? ["list", "--help"] : ["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toStartWith(c.usage);
    expect(r.err).toBe("");
  });

  test(`${c.name}: an unknown flag is a usage error (exit 2, the reason and the usage on stderr)`, async () => {
    const r = await capture(c.run, ["--bogus"]);
    expect(r.code).toBe(2);
    expect(r.err).toStartWith(`${c.name}: Unknown option '--bogus'`);
    expect(r.err).toContain(c.usage);
    expect(r.out).toBe("");
  });
}

for (const c of opensDatabase) {
  test(`${c.name}: a config that cannot be loaded: exit 2 with the config's message`, async () => {
    const r = await capture(c.run, c.name === "user" ? ["list", "--config", "/nonexistent/rmirror.json"] : ["--config", "/nonexistent/rmirror.json"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("config file /nonexistent/rmirror.json: not found");
    expect(r.out).toBe("");
  });
}

for (const c of opensDatabase.filter((c) => c.name !== "user")) {
  test(`${c.name}: a stray argument is a usage error`, async () => {
    const r = await capture(c.run, ["stray", "--config", "/nonexistent/rmirror.json"]);
    expect(r.code).toBe(2);
    expect(r.err).toStartWith(`${c.name}: unexpected argument 'stray'\n${c.usage}`);
  });
}

test("a bad flag value is reported before the config is read", async () => {
  const g = await capture(gc, ["--grace-hours", "soon", "--config", "/nonexistent/rmirror.json"]);
  expect(g.code).toBe(2);
  expect(g.err).toStartWith("gc: --grace-hours must be a whole number of hours\nUsage: rmirror gc ");
  const r = await capture(reread, ["--document", crypto.randomUUID(), "--config", "/nonexistent/rmirror.json"]);
  expect(r.code).toBe(2);
  expect(r.err).toStartWith("ocr reread: --document needs --user (documents belong to one user)\nUsage: rmirror ocr reread ");
});

test("user without a command, and import without an input, print the usage and exit 2", async () => {
  const u = await capture(user, []);
  expect(u.code).toBe(2);
  expect(u.err).toStartWith("Usage:\n  rmirror user add ");
  const i = await capture(importCli, ["--server", "http://127.0.0.1:9", "--token", "t"]);
  expect(i.code).toBe(2);
  expect(i.err).toStartWith("import: an input path is required\nUsage: rmirror import ");
});
