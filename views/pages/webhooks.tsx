// Settings → Integrations → Webhooks: add an endpoint (URL + events; its signing secret is shown
// here), see each endpoint's recent deliveries with their status, redeliver one, delete an
// endpoint. A pure function of its props; plain forms with the `csrf` field (post-redirect-get).
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import type { deliveryView, endpointView } from "../../src/services/integrations/webhooks.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { formatTime } from "../partials/modal.tsx";

export interface WebhooksPageProps {
  header: HeaderInfo;
  events: readonly string[];
  endpoints: { endpoint: ReturnType<typeof endpointView>; secret: string; deliveries: ReturnType<typeof deliveryView>[] }[];
  allowPrivate: boolean;
  message?: string | undefined;
  error?: string | undefined;
  /** What the add form held when it was refused. */
  form?: { url: string; description: string; events: string[] } | undefined;
}

const EVENT_HELP: Record<string, string> = {
  "document.changed": "a notebook or folder was added, changed, moved, trashed or deleted",
  "page.text_ready": "a page's typed text or handwriting (OCR) text is ready or changed",
  "todo.created": "a new checkbox item was found",
  "todo.checked": "a checkbox item was ticked",
  "quota.threshold": "the monthly OCR quota reached 90 % or 100 %",
};

function Csrf(p: { token: string }) {
  return <input type="hidden" name="csrf" value={p.token} />;
}

export function WebhooksPage(p: WebhooksPageProps): string {
  const csrf = p.header.csrf;
  const chosen = p.form?.events ?? [...p.events];
  return render(
    <Layout title="Webhooks" header={p.header} active="settings">
      <h1>Webhooks</h1>
      <p>
        rmirror sends an HTTP POST to your endpoint when something happens in your library (n8n, Home Assistant, Zapier, your own script). Every request is signed
        following the <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> spec; failed deliveries are retried with growing pauses.
      </p>
      {p.message ? (
        <p id="webhooks-message" class="card ok" role="status" safe>
          {p.message}
        </p>
      ) : (
        ""
      )}
      {p.error ? (
        <p id="webhooks-error" class="card over err" role="alert" safe>
          {p.error}
        </p>
      ) : (
        ""
      )}
      <section aria-labelledby="add-h">
        <h2 id="add-h">Add an endpoint</h2>
        <form id="webhook-add-form" method="post" action="/settings/webhooks" class="stack">
          <Csrf token={csrf} />
          <label>
            URL
            <input type="url" name="url" required maxlength="2000" placeholder="https://example.com/hooks/rmirror" value={p.form?.url ?? ""} />
          </label>
          <label>
            Description (optional)
            <input name="description" maxlength="200" value={p.form?.description ?? ""} />
          </label>
          <fieldset>
            <legend>Events</legend>
            {p.events.map((e) => (
              <label>
                <input type="checkbox" name={`ev_${e}`} value="1" checked={chosen.includes(e)} /> <code safe>{e}</code> — <span safe>{EVENT_HELP[e] ?? ""}</span>
              </label>
            ))}
          </fieldset>
          {p.allowPrivate ? "" : <p class="muted">Addresses on private networks (192.168.x.x, 10.x.x.x, localhost, …) are refused unless the admin allows them.</p>}
          <button type="submit">Add endpoint</button>
        </form>
      </section>
      <section aria-labelledby="eps-h">
        <h2 id="eps-h">Endpoints</h2>
        {p.endpoints.length ? "" : <p id="webhooks-empty">No endpoints yet.</p>}
        {p.endpoints.map(({ endpoint: e, secret, deliveries }) => (
          <article class="card" data-endpoint-id={String(e.id)}>
            <h3 safe>{e.url}</h3>
            {e.description ? <p safe>{e.description}</p> : ""}
            <dl>
              <dt>Events</dt>
              <dd safe>{e.events.join(", ")}</dd>
              <dt>Signing secret</dt>
              <dd>
                <details>
                  <summary>Show</summary>
                  <code class="webhook-secret" safe>
                    {secret}
                  </code>
                </details>
              </dd>
              <dt>Added</dt>
              <dd safe>{formatTime(e.createdAt)}</dd>
            </dl>
            <form method="post" action={`/settings/webhooks/${e.id}/delete`} class="inline">
              <Csrf token={csrf} />
              <button type="submit" class="danger">
                Delete endpoint
              </button>
            </form>
            <h4>Recent deliveries</h4>
            {deliveries.length ? (
              <table class="deliveries">
                <thead>
                  <tr>
                    <th>Event</th>
                    <th>Status</th>
                    <th>Attempts</th>
                    <th>Last answer</th>
                    <th>Created</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => (
                    <tr data-delivery-id={String(d.id)} data-delivery-status={d.status}>
                      <td>
                        <code safe>{d.eventType}</code>
                        <br />
                        <small safe>{d.eventId}</small>
                      </td>
                      <td>
                        <span class={`badge ${d.status === "delivered" ? "done" : d.status}`}>{d.status === "delivered" ? "delivered" : d.status === "failed" ? "failed" : "pending"}</span>
                      </td>
                      <td safe>{String(d.attempts)}</td>
                      <td safe>{d.lastError ?? (d.lastStatus !== null ? `HTTP ${d.lastStatus}` : "—")}</td>
                      <td safe>{formatTime(d.createdAt)}</td>
                      <td>
                        <form method="post" action={`/settings/webhooks/deliveries/${d.id}/redeliver`} class="inline">
                          <Csrf token={csrf} />
                          <button type="submit">Redeliver</button>
                        </form>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">No deliveries yet.</p>
            )}
          </article>
        ))}
      </section>
      <p>
        For developers: how to verify signatures, the payloads and the change feed they come from are in <code>docs/integrations.md</code>.
      </p>
    </Layout>,
  );
}
