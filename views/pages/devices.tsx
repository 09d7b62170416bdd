// Devices: agent tokens (create, shown once; revoke; last seen) and pairing requests by code.
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import type { PublicDeviceToken } from "../../src/services/accounts/tokens.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { PairingPanel, TokenRow, type PairingInfo } from "../partials/devices.tsx";

export function DevicesPage(p: { header: HeaderInfo; tokens: PublicDeviceToken[]; serverUrl: string; pairing: PairingInfo | null; pairingError?: string | undefined }): string {
  return render(
    <Layout title="Devices" header={p.header} active="devices">
      <h1>Devices</h1>
      <section aria-labelledby="pair-h">
        <h2 id="pair-h">Pair an agent</h2>
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
