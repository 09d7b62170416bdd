// Choose what syncs (issue 15): per computer, the folders and notebooks its agent leaves out (or the
// only ones it syncs) and the initial-sync limit. One form per live device token; the agent applies
// a change with its next heartbeat, without a restart.
import type { PublicDeviceToken } from "../../src/services/accounts/tokens.ts";
import type { LibraryChoice, SyncSettings } from "../../src/services/agent/sync-settings.ts";
import { formatTime } from "./modal.tsx";

export interface SyncSettingsView {
  token: PublicDeviceToken;
  settings: SyncSettings;
  /** The computer's last heartbeat (its answer carries the settings), or null when it never reported. */
  heardAt: string | null;
}

/** Whether the agent has the settings now: a heartbeat answered after they changed carried them. */
export function pickedUp(v: SyncSettingsView): string {
  if (!v.settings.updatedAt) return "";
  if (v.heardAt && v.heardAt >= v.settings.updatedAt) return `The agent has them (heartbeat ${formatTime(v.heardAt)}).`;
  return "The agent picks them up with its next heartbeat (within a minute while it runs), without a restart.";
}

/** One line of the summary: "Everything", "Everything except 2", "Only 3"; plus the limit. */
export function syncSummary(s: SyncSettings): string {
  const what = s.items.length === 0 ? (s.mode === "include" ? "nothing (no folder or notebook chosen)" : "everything") : s.mode === "include" ? `only ${s.items.length} folder${s.items.length === 1 ? "" : "s"}/notebook${s.items.length === 1 ? "" : "s"}` : `everything except ${s.items.length} folder${s.items.length === 1 ? "" : "s"}/notebook${s.items.length === 1 ? "" : "s"}`;
  return `Syncs ${what}${s.initialPages ? `; initial sync: newest ${s.initialPages} page${s.initialPages === 1 ? "" : "s"} per notebook read first` : ""}`;
}

function settingsNote(v: SyncSettingsView) {
  const t = pickedUp(v);
  return t ? (
    <p class="hint" data-sync-applied={v.heardAt && v.settings.updatedAt && v.heardAt >= v.settings.updatedAt ? "1" : "0"} safe>
      {t}
    </p>
  ) : (
    ""
  );
}

export function SyncSettingsForm(p: { view: SyncSettingsView; choices: LibraryChoice[]; csrf: string; saved?: boolean }) {
  const { token, settings } = p.view;
  const chosen = new Set(settings.items.map((i) => i.toLowerCase()));
  const known = new Set(p.choices.map((c) => c.uuid));
  // Items that are not a uuid the library knows (typed names, or things not synced yet) go in the text box.
  const typed = settings.items.filter((i) => !known.has(i.toLowerCase()));
  const id = `sync-${token.id}`;
  return (
    <details class="card sync-settings" id={id} data-sync-token={String(token.id)} data-sync-mode={settings.mode} open={p.saved ? true : undefined}>
      <summary>
        <strong safe>{token.name}</strong>
        {" — "}
        <span class="sync-summary" safe>
          {syncSummary(settings)}
        </span>
      </summary>
      {p.saved ? (
        <p class="ok" role="status" data-sync-saved="1">
          Saved.
        </p>
      ) : (
        ""
      )}
      {settingsNote(p.view)}
      <form method="post" action={`/devices/tokens/${token.id}/sync`} hx-post={`/devices/tokens/${token.id}/sync`} hx-target={`#${id}`} hx-swap="outerHTML">
        <input type="hidden" name="csrf" value={p.csrf} />
        <fieldset>
          <legend>What this computer syncs</legend>
          <label>
            <input type="radio" name="mode" value="exclude" checked={settings.mode === "exclude"} /> Everything except the folders and notebooks chosen below
          </label>
          <br />
          <label>
            <input type="radio" name="mode" value="include" checked={settings.mode === "include"} /> Only the folders and notebooks chosen below (and what is inside those folders)
          </label>
        </fieldset>
        <fieldset class="sync-items">
          <legend>Folders and notebooks</legend>
          {p.choices.length === 0 ? <p>The library is empty so far: type folder or notebook names below.</p> : ""}
          {p.choices.map((c) => (
            <label class="sync-item" data-item-uuid={c.uuid}>
              <input type="checkbox" name={`item_${c.uuid}`} value="1" checked={chosen.has(c.uuid)} /> <span safe>{`${c.folder ? "Folder" : "Notebook"}: ${c.path}`}</span>
              <br />
            </label>
          ))}
        </fieldset>
        <label>
          Other folders or notebooks by name or id, one per line (also ones this server has not seen yet)
          <br />
          <textarea name="names" rows="3" cols="50" maxlength="30000" safe>
            {typed.join("\n")}
          </textarea>
        </label>
        <p>
          <label>
            Initial-sync limit: read the newest <input type="number" name="initial_pages" min="1" max="100000" step="1" value={settings.initialPages === null ? "" : String(settings.initialPages)} placeholder="all" /> pages of each notebook
            first
          </label>
          <br />
          <small>
            For a large library: when a notebook reaches the server for the first time from this computer, only its newest pages are read by OCR (so the month's quota is not spent in an hour). Every page is still
            uploaded and shown; the others say “not read” and are read from the notebook's page with “Read the remaining pages”. Pages added or changed later are read as usual. Empty: no limit.
          </small>
        </p>
        <p class="hint">
          Excluding a folder or notebook stops syncing it from this computer; what the server has of it already is kept (not deleted) — delete it in the library if you want it gone. The agent's own
          exclude list (its config or --exclude) still applies too.
        </p>
        <button type="submit" data-action="save-sync-settings">
          Save
        </button>
        {settings.updatedAt ? <small safe>{` last changed ${formatTime(settings.updatedAt)}`}</small> : ""}
      </form>
    </details>
  );
}

/** The "Choose what syncs" section body: one form per live device token. */
export function SyncSettingsList(p: { views: SyncSettingsView[]; choices: LibraryChoice[]; csrf: string }) {
  return (
    <div id="sync-settings">
      {p.views.length === 0 ? <p>No computer is connected yet.</p> : ""}
      {p.views.map((v) => (
        <SyncSettingsForm view={v} choices={p.choices} csrf={p.csrf} />
      ))}
    </div>
  );
}
