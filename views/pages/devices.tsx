// Devices: agent tokens (create, shown once; revoke; last seen) and pairing requests by code.
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import type { PublicDeviceToken } from "../../src/services/accounts/tokens.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { ComputersTable, PairingPanel, TokenRow, type PairingInfo } from "../partials/devices.tsx";
import type { Computer } from "../../src/services/agent/heartbeats.ts";
import type { LibraryChoice } from "../../src/services/agent/sync-settings.ts";
import { SyncSettingsList, type SyncSettingsView } from "../partials/sync-settings.tsx";

export function DevicesPage(p: { header: HeaderInfo; tokens: PublicDeviceToken[]; serverUrl: string; pairing: PairingInfo | null; pairingError?: string | undefined; macPath: string; computers: Computer[]; serverVersion: string; sync: { views: SyncSettingsView[]; choices: LibraryChoice[] } }): string {
  return render(
    <Layout title="Devices" header={p.header} active="devices">
      <h1>Devices</h1>
      <section aria-labelledby="computers-h">
        <h2 id="computers-h">Computers</h2>
        <ComputersTable computers={p.computers} serverVersion={p.serverVersion} />
      </section>
      <section aria-labelledby="sync-h">
        <h2 id="sync-h">Choose what syncs</h2>
        <p>Per computer: leave folders and notebooks out (or sync only some), and limit how many pages of each notebook are read by OCR on the first sync. The agent picks a change up within a minute.</p>
        <SyncSettingsList views={p.sync.views} choices={p.sync.choices} csrf={p.header.csrf} />
      </section>
      <section aria-labelledby="connect-h">
        <h2 id="connect-h">Connect a computer</h2>
        <p>Nothing syncs until the rmirror agent runs on the computer where the reMarkable desktop app keeps your notebooks. Make a one-time install command and paste it into a terminal there:</p>
        <form class="inline" id="install-form" method="post" action="/devices/install" hx-post="/devices/install" hx-target="#install-command" hx-swap="outerHTML">
          <button type="submit">Make install command</button>
        </form>
        <div id="install-command"></div>
        <details id="full-disk-access">
          <summary>macOS: Full Disk Access</summary>
          <p>
            {"The desktop app keeps notebooks in its protected container, so on macOS the agent needs Full Disk Access: System Settings → Privacy & Security → Full Disk Access, click +, press ⌘⇧G and enter "}
            <code safe>{p.macPath}</code>
            {" (the installer prints the full path), then switch it on. The agent starts syncing within a minute."}
          </p>
        </details>
      </section>
      <section aria-labelledby="pair-h">
        <h2 id="pair-h">Pair an agent installed by hand</h2>
        <p>
          {"On your computer run "}
          <code safe>{`rmirror agent login --server ${p.serverUrl}`}</code>
          {" and enter the code it shows:"}
        </p>
        <form class="inline" method="get" action="/devices" hx-get="/devices/pairing" hx-target="#pairing" hx-swap="outerHTML">
          <label>
            Pairing code <input name="code" id="pairing-code" required pattern="[A-Za-z2-9]{4}-?[A-Za-z2-9]{4}" placeholder="ABCD-EFGH" autocomplete="off" />
          </label>
          <button type="submit">Look up</button>
        </form>
        <PairingPanel info={p.pairing} error={p.pairingError} />
      </section>
      <section aria-labelledby="tokens-h">
        <h2 id="tokens-h">Device tokens</h2>
        <form class="inline" id="new-token-form" hx-post="/devices/tokens" hx-target="#new-token" hx-swap="outerHTML" method="post" action="/devices/tokens">
          <label>
            New token name <input name="name" required maxlength="100" placeholder="My Mac" />
          </label>
          <button type="submit">Create token</button>
        </form>
        <div id="new-token"></div>
        <table id="tokens" class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">Created</th>
              <th scope="col">Last seen</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody id="tokens-body">
            {p.tokens.map((t) => (
              <TokenRow t={t} />
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}
