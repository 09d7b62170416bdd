// Live updates (issue 13 item 7): a hidden element asks GET /live?v=<fingerprint> every 2 s. The
// server answers 204 while nothing changed (htmx swaps nothing) and, when a job was queued, ran or
// ended or a document synced, this element with the new fingerprint plus `HX-Trigger: rmirror-live`;
// regions that listen with `hx-trigger="rmirror-live from:body"` then reload themselves. So a page
// opened while idle picks up work queued later, and polling costs one tiny query while idle.
export const LIVE_EVENT = "rmirror-live";

export function LivePoller(p: { version: string }) {
  return <div id="live" hidden data-live-version={p.version} hx-get={`/live?v=${encodeURIComponent(p.version)}`} hx-trigger="every 2s" hx-swap="outerHTML"></div>;
}
