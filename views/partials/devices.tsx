// Device tokens (rows, the once-shown new token) and the pairing request panel.
import type { PublicDeviceToken } from "../../src/services/accounts/tokens.ts";
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
