// The local status page: a pure function of its props. Server-rendered HTML forms that work
// without JavaScript; with the dashboard's pinned htmx (served from the binary) the forms post
// in place (hx-boost) and the live panel refreshes itself every few seconds.
// Every element that shows outside data carries `safe` (@kitajs/html does not escape children).
import type { AgentStatus } from "./status.ts";

function when(ms: number | undefined): string {
  return ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "never";
}

function quotaColour(used: number, limit: number | null): string {
  if (limit === null || limit <= 0) return "ok";
  const r = used / limit;
  return r >= 1 ? "over" : r >= 0.9 ? "warn" : "ok";
}

const CSS = `body{font:15px/1.45 system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25em .5em;border-bottom:1px solid #eee;vertical-align:top}
.ok{color:#17702f}.warn{color:#a86200}.over,.err{color:#b00020}form.inline{display:inline}label{display:block;margin:.4em 0}
input[type=text],input[type=url],textarea{width:100%;box-sizing:border-box}`;

export function StatusView(p: { s: AgentStatus; csrf: string }): string {
  const s = p.s;
  const Csrf = () => <input type="hidden" name="csrf" value={p.csrf} />;
  return (
    "<!doctype html>" +
    (
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <title>rmirror agent</title>
          <style>{CSS}</style>
          <script src="/htmx.min.js" defer></script>
        </head>
        <body hx-boost="true">
          <h1>rmirror agent</h1>
          <StatusPanel s={s} csrf={p.csrf} />
          <h2>Settings</h2>
          <form method="post" action="/settings">
            <Csrf />
            <label>
              Server URL <input type="url" name="server" value={s.server} required />
            </label>
            <label>
              Folder <input type="text" name="folder" value={s.folder} required />
            </label>
            <label>
              Folders or notebooks not to sync on this computer (one name or uuid per line; the dashboard's choices apply too)
              <textarea name="exclude" rows="3" safe>
                {s.exclude.join("\n")}
              </textarea>
            </label>
            <label>
              Markdown vault folder (Obsidian, Logseq; empty = none)
              <input type="text" name="vault" value={s.vault?.dir ?? ""} />
            </label>
            <button type="submit">Save and restart</button>
          </form>
          <p>Changing the server signs the agent out: pair again with <code>rmirror agent login --server URL</code>.</p>
        </body>
      </html>
    )
  );
}

/**
 * The connection problem in words, or undefined: from the uploader (it failed to reach the server
 * or was refused) or from the page's own check (which also runs while nothing is uploaded).
 */
export function serverProblem(s: AgentStatus): string | undefined {
  const refused = s.connection === "unauthorized" || s.serverCheck?.state === "unauthorized";
  if (refused) return `The server ${s.server} refuses this computer's token: sign in again with "rmirror agent login --server ${s.server}".`;
  const down = s.serverCheck ? s.serverCheck.state === "unreachable" : s.connection === "offline";
  if (!down) return undefined;
  const why = s.serverCheck?.error ?? s.lastError;
  return `The server ${s.server} cannot be reached${why ? ` (${why})` : ""}. Changes wait here and are sent when it answers again.`;
}

/** The sync rules in words: what is left out (or the only things synced) and the initial-sync limit. */
export function syncText(y: NonNullable<AgentStatus["sync"]>): string {
  const srv = y.server;
  const list = (xs: readonly string[]) => xs.map((x) => `“${x}”`).join(", ");
  const parts: string[] = [];
  if (srv?.mode === "include") parts.push(srv.items.length ? `Only ${list(srv.items)} (set on the dashboard)` : "Nothing: the dashboard's “only these” list is empty");
  else if (srv?.items.length) parts.push(`Everything except ${list(srv.items)} (set on the dashboard)`);
  else parts.push("Everything");
  if (y.local.length) parts.push(`also left out here: ${list(y.local)} (this agent's exclude setting)`);
  if (srv?.initialPages) parts.push(`initial sync: the server reads the newest ${srv.initialPages} page(s) of each new notebook first`);
  return parts.join("; ");
}

function syncSource(y: NonNullable<AgentStatus["sync"]>): string {
  if (y.source === "server") return `Settings from the server (Devices → Choose what syncs), read ${when(y.fetchedAt)}.`;
  if (y.source === "saved") return "Settings last read from the server (it has not answered since this agent started).";
  return "The server's settings have not been read yet: only this agent's exclude setting applies.";
}

/** The live part of the page (GET /panel): polled by htmx every 3 s, swapped in place. */
export function StatusPanel(p: { s: AgentStatus; csrf: string }): string {
  const s = p.s;
  const Csrf = () => <input type="hidden" name="csrf" value={p.csrf} />;
  return (
    <div id="live" hx-get="/panel" hx-trigger="every 3s" hx-swap="outerHTML">
      <table>
        <tr>
          <th>Server</th>
          <td>
            <a href={s.server} safe>
              {s.server}
            </a>{" "}
            <span class={serverProblem(s) ? "err" : "ok"} data-connection={serverProblem(s) ? "problem" : "ok"} safe>
              {s.serverCheck?.state === "unreachable" ? "unreachable" : s.serverCheck?.state === "unauthorized" ? "unauthorized" : s.connection}
            </span>
            {s.lastError ? (
              <div class="err" safe>
                {s.lastError}
              </div>
            ) : (
              ""
            )}
          </td>
        </tr>
        <tr>
          <th>Folder</th>
          <td safe>{s.folder}</td>
        </tr>
        <tr>
          <th>Last sync</th>
          <td safe>{when(s.lastSyncAt)}</td>
        </tr>
        <tr>
          <th>Queue</th>
          <td safe>{`${s.queue} pending, ${s.parked.length} parked, ${s.synced} synced${s.paused ? " — paused" : ""}`}</td>
        </tr>
        <tr>
          <th>Uploaded</th>
          <td safe>{`${s.counters.documents} document update(s), ${s.counters.blobs} file(s), ${(s.counters.bytes / 1e6).toFixed(1)} MB, ${s.counters.deletes} deletion(s)`}</td>
        </tr>
        {s.sync ? (
          <tr id="sync-settings" data-sync-source={s.sync.source} data-sync-mode={s.sync.server?.mode ?? "exclude"}>
            <th>What syncs</th>
            <td>
              <span safe>{syncText(s.sync)}</span>
              <br />
              <small safe>{syncSource(s.sync)}</small>
            </td>
          </tr>
        ) : (
          ""
        )}
        <tr>
          <th>OCR quota</th>
          <td>
            {s.quota ? (
              <span class={quotaColour(s.quota.used, s.quota.limit)} safe>
                {`${s.quota.used} of ${s.quota.limit ?? "unlimited"} pages this month`}
              </span>
            ) : (
              <span>unknown (server does not report it)</span>
            )}
          </td>
        </tr>
      </table>
      <p>
        <form class="inline" method="post" action={s.paused ? "/resume" : "/pause"}>
          <Csrf />
          <button type="submit">{s.paused ? "Resume" : "Pause"}</button>
        </form>{" "}
        <form class="inline" method="post" action="/rescan">
          <Csrf />
          <button type="submit">Rescan now</button>
        </form>{" "}
        <a href={s.server}>Open the dashboard</a>{" · "}
        <a id="dashboard-devices" href={`${s.server.replace(/\/+$/, "")}/devices`}>
          This computer on the dashboard (Devices)
        </a>
      </p>
      {s.vault ? (
        <p id="vault" data-vault-dir={s.vault.dir}>
          <span safe>{`Markdown vault: ${s.vault.dir} — ${s.vault.notes} notes, updated ${when(s.vault.lastRunAt)}`}</span>
          {s.vault.lastError ? (
            <span class="err" data-problem="vault" safe>
              {` · ${s.vault.lastError}`}
            </span>
          ) : (
            ""
          )}
        </p>
      ) : (
        ""
      )}
      <h2>Problems</h2>
      {serverProblem(s) ? (
        <p class="err" data-problem="server" safe>
          {serverProblem(s)}
        </p>
      ) : (
        ""
      )}
      {!serverProblem(s) && s.parked.length === 0 && s.failing.length === 0 && s.waiting.length === 0 ? <p>None.</p> : ""}
      {s.parked.length ? (
        <form method="post" action="/retry">
          <Csrf />
          <input type="hidden" name="uuid" value="*" />
          <button type="submit">Retry all parked</button>
        </form>
      ) : (
        ""
      )}
      <table>
        {s.parked.map((r) => (
          <tr>
            <td title={r.uuid} safe>
              {r.name ?? r.uuid}
            </td>
            <td class="err" safe>
              {r.error}
            </td>
            <td>
              <form method="post" action="/retry">
                <Csrf />
                <input type="hidden" name="uuid" value={r.uuid} />
                <button type="submit">Retry</button>
              </form>
            </td>
          </tr>
        ))}
        {s.failing.map((r) => (
          <tr>
            <td title={r.uuid} safe>
              {r.name ?? r.uuid}
            </td>
            <td class="warn" safe>
              {`retrying: ${r.error}`}
            </td>
            <td></td>
          </tr>
        ))}
        {s.waiting.map((w) => (
          <tr>
            <td safe>{w.name}</td>
            <td safe>{`not downloaded by the desktop app yet (${w.reason})`}</td>
            <td></td>
          </tr>
        ))}
      </table>
    </div>
  ) as string;
}
