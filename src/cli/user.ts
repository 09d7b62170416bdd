// `rmirror user add|passwd|list` — account chores against the server's database.
import { silentLogger } from "../log.ts";
import { createUser, normaliseEmail, publicUser, setPassword } from "../services/accounts/accounts.ts";
import { createContext } from "../composition/context.ts";
import { randomToken } from "../services/accounts/crypto.ts";
import { AppError } from "../server/errors.ts";
import { parseCommand } from "./args.ts";
import { commandConfig } from "./data-dir-command.ts";

const HELP = `Usage:
  rmirror user add <email> [--admin] [--password-stdin]   create a user (prints a generated password unless --password-stdin)
  rmirror user passwd <email> [--password-stdin]          set a new password (ends the user's sessions)
  rmirror user list                                       list users
Options: --config file.json, --data DIR (same settings as rmirror serve)
`;

async function readPassword(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (fromStdin) {
    const text = await new Response(Bun.stdin.stream()).text();
    return { password: text.replace(/\r?\n$/, ""), generated: false };
  }
  return { password: randomToken(15), generated: true };
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand("user", argv, { admin: { type: "boolean" }, "password-stdin": { type: "boolean" }, config: { type: "string" }, data: { type: "string" }, help: { type: "boolean", short: "h" } }, HELP);
  if (parsed === 2) return 2;
  const { values, positionals } = parsed;
  const [cmd, email] = positionals;
  if (values.help || !cmd) {
    (values.help ? process.stdout : process.stderr).write(HELP);
    return values.help ? 0 : 2;
  }
  const config = commandConfig(values);
  if (config === 2) return 2;
  const ctx = createContext(config, { log: silentLogger });
  try {
    switch (cmd) {
      case "list": {
        const users = ctx.store.listUsers().map(publicUser);
        if (!users.length) process.stdout.write("no users (run `rmirror user add <email> --admin` or open /setup)\n");
        for (const u of users) process.stdout.write(`${String(u.id).padStart(4)}  ${u.email}${u.isAdmin ? "  (admin)" : ""}  created ${u.createdAt}\n`);
        return 0;
      }
      case "add":
      case "passwd": {
        if (!email) {
          process.stderr.write(`user ${cmd}: an email is required\n${HELP}`);
          return 2;
        }
        normaliseEmail(email);
        const { password, generated } = await readPassword(values["password-stdin"] === true);
        if (cmd === "add") {
          const u = await createUser(ctx, email, password, values.admin === true);
          process.stdout.write(`created user ${u.email}${u.is_admin ? " (admin)" : ""}\n`);
        } else {
          await setPassword(ctx, email, password);
          process.stdout.write(`password changed for ${normaliseEmail(email)}; existing sessions ended\n`);
        }
        if (generated) process.stdout.write(`password: ${password}\n`);
        return 0;
      }
      default:
        process.stderr.write(`user: unknown command "${cmd}"\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof AppError) {
      process.stderr.write(`user ${cmd}: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    ctx.store.db.close();
  }
}

if (import.meta.main) process.exit(await run(process.argv.slice(2)));
