// Device tokens (rows, the once-shown new token) and the pairing request panel.
import type { PublicDeviceToken } from "../../src/services/accounts/tokens.ts";
import type { Computer } from "../../src/services/agent/heartbeats.ts";
import { escapeHtml } from "@kitajs/html";
import { formatTime } from "./modal.tsx";

export function TokenRow(p: { t: PublicDeviceToken }) {
  const t = p.t;
  return (
    <tr data-token-id={String(t.id)} data-revoked={t.revokedAt ? "1" : "0"}>
      <td safe>{t.name}</td>
      <td>
        <code safe>{`${t.prefix}…`}</code>
      </td>
      <td safe>{formatTime(t.createdAt)}</td>
      <td>{t.lastSeenAt ? escapeHtml(formatTime(t.lastSeenAt)) : "never"}</td>
      <td>
        {t.revokedAt ? (
          <span class="badge failed" safe>
            {`revoked ${formatTime(t.revokedAt)}`}
          </span>
        ) : (
          <button type="button" data-action="revoke-token" hx-post={`/devices/tokens/${t.id}/revoke`} hx-target="closest tr" hx-swap="outerHTML" hx-confirm="Revoke this token? The device stops syncing.">
            Revoke
          </button>
        )}
      </td>
    </tr>
  );
}

/** Swapped into #new-token after creating; the row is added to #tokens out of band. */
export function NewToken(p: { token: string; record: PublicDeviceToken; serverUrl: string }) {
  return (
    <>
      <div id="new-token" class="card ok" role="status">
        <p safe>{`Token for “${p.record.name}” (shown only now — copy it):`}</p>
        <pre>
          <code id="new-token-value" safe>
            {p.token}
          </code>
        </pre>
        <button type="button" data-copy="#new-token-value">
          Copy
        </button>
        <p>On the computer, in a terminal (the token is kept in the keychain or a file only you can read):</p>
        <pre>
          <code id="new-token-command" safe>
            {`RMIRROR_TOKEN=${p.token} rmirror agent login --server ${p.serverUrl}`}
          </code>
        </pre>
        <button type="button" data-copy="#new-token-command">
          Copy
        </button>
      </div>
      <template>
        <tbody hx-swap-oob="afterbegin:#tokens-body">
          <TokenRow t={p.record} />
        </tbody>
      </template>
    </>
  );
}

export interface PairingInfo {
  code: string;
  deviceName: string;
  status: string;
  expiresAt: string;
}

export function PairingPanel(p: { info: PairingInfo | null; error?: string | undefined; decided?: "approved" | "denied" | undefined }) {
  const i = p.info;
  return (
    <div id="pairing" aria-live="polite">
      {p.error ? (
        <p class="err" safe>
          {p.error}
        </p>
      ) : (
        ""
      )}
      {i ? (
        <div class="card" data-pairing-status={p.decided ?? i.status}>
          <p>
            {"Device "}
            <strong safe>{i.deviceName}</strong>
            {" — code "}
            <code safe>{i.code}</code>
            {" — "}
            <span safe>{p.decided ?? i.status}</span>
          </p>
          {i.status === "pending" && !p.decided ? (
            <p>
              <button type="button" data-action="approve-pairing" hx-post={`/devices/pairing/${encodeURIComponent(i.code)}/approve`} hx-target="#pairing" hx-swap="outerHTML">
                Approve
              </button>{" "}
              <button type="button" data-action="deny-pairing" hx-post={`/devices/pairing/${encodeURIComponent(i.code)}/deny`} hx-target="#pairing" hx-swap="outerHTML">
                Deny
              </button>
            </p>
          ) : (
            ""
          )}
        </div>
      ) : (
        ""
      )}
    </div>
  );
}

/** Swapped into #install-command: the one-line installers with a fresh one-time code. */
export function InstallCommand(p: { sh: string; ps1: string; expiresAt: string }) {
  return (
    <div id="install-command" class="card ok" role="status" data-expires-at={p.expiresAt}>
      <p safe>{`One-time install command — valid until ${formatTime(p.expiresAt)}, for one computer. Paste it into a terminal on that computer:`}</p>
      <h3>macOS and Linux (Terminal)</h3>
      <pre>
        <code id="install-sh" safe>
          {p.sh}
        </code>
      </pre>
      <button type="button" data-copy="#install-sh">
        Copy
      </button>
      <h3>Windows (PowerShell)</h3>
      <pre>
        <code id="install-ps1" safe>
          {p.ps1}
        </code>
      </pre>
      <button type="button" data-copy="#install-ps1">
        Copy
      </button>
      <p>It downloads the agent from this server, checks its SHA-256, installs it for your user only (no administrator password), signs it in to your account, and starts it at login. It prints what it did and how to undo it.</p>
    </div>
  );
}

const FOLDER_TEXT = { ok: "found, readable", missing: "not found", unreadable: "not readable (permission)" } as const;

/** The computers running an agent, online or offline; refreshes itself every 15 s. */
export function ComputersTable(p: { computers: Computer[]; serverVersion: string }) {
  return (
    <div id="computers" hx-get="/devices/computers" hx-trigger="every 15s" hx-swap="outerHTML">
      {p.computers.length === 0 ? (
        <p id="no-computers">No computer has reported yet. Once an agent runs, it shows here within a minute.</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Computer</th>
              <th scope="col">Status</th>
              <th scope="col">Agent</th>
              <th scope="col">Folder</th>
              <th scope="col">Queue</th>
              <th scope="col">Last sync</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {p.computers.map((c) => (
              <tr data-computer-id={String(c.token.id)} data-agent-status={c.status} data-outdated={c.outdated ? "1" : "0"}>
                <td safe>{c.token.name}</td>
                <td>
                  <span class={`badge ${c.status === "online" ? "done" : "failed"}`}>{c.status === "online" ? "online" : "offline"}</span>
                  <br />
                  <small safe>{c.status === "online" ? `heard ${formatTime(c.lastHeardAt)}` : c.stopped ? `stopped ${formatTime(c.lastHeardAt)}` : `last heard ${formatTime(c.lastHeardAt)}`}</small>
                </td>
                <td>
                  <span safe>{`${c.version} · ${c.platform}`}</span>
                  {c.outdated ? (
                    <>
                      <br />
                      <span class="badge pending_quota" safe>{`old version: update with 'rmirror agent update' (server ${p.serverVersion})`}</span>
                    </>
                  ) : (
                    ""
                  )}
                </td>
                <td>{FOLDER_TEXT[c.folder]}</td>
                <td safe>{String(c.queue)}</td>
                <td safe>{formatTime(c.lastSyncAt)}</td>
                <td safe>{c.lastError ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
