// What the local status page shows, and the small interface through which it sees the running
// agent: the page depends on this, never on the agent module, its outbox or its uploader.

export interface AgentStatus {
  server: string;
  folder: string;
  exclude: string[];
  connection: string;
  lastError: string | undefined;
  lastSyncAt: number | undefined;
  paused: boolean;
  busy: boolean;
  queue: number;
  synced: number;
  /** name: the notebook's visible name (from the last sync or its .metadata), when known. */
  parked: { uuid: string; name?: string | undefined; error: string }[];
  failing: { uuid: string; name?: string | undefined; error: string }[];
  waiting: { uuid: string; name: string; reason: string }[];
  counters: { documents: number; folders: number; blobs: number; bytes: number; deletes: number };
  quota: { used: number; limit: number | null } | undefined;
  /** The page's own look at the server (every few seconds), whether or not anything is being uploaded. */
  serverCheck: ServerCheck | undefined;
  memory: { rssMB: number; heapMB: number };
  /** The Markdown vault this agent keeps (rmirror agent --vault), when it keeps one. */
  vault?: VaultStatus | undefined;
  /** Choose what syncs: the rules in effect and where they come from. */
  sync?: SyncSettingsInEffect | undefined;
}

/** The computer's sync settings as the server keeps them (src/services/agent/sync-settings.ts). */
export interface ServerSyncSettings {
  mode: "exclude" | "include";
  items: string[];
  initialPages: number | null;
  updatedAt: string | null;
}

/** The sync rules in effect and where they come from. */
export interface SyncSettingsInEffect {
  /** The agent's own exclude list (config or --exclude): always applies. */
  local: string[];
  /** The server's settings for this computer, when known. */
  server: ServerSyncSettings | undefined;
  /** "server": read from the server; "saved": the last ones read, kept from before (the server has not answered yet); "none": never read. */
  source: "server" | "saved" | "none";
  /** When the server's settings were last read (ms). */
  fetchedAt: number | undefined;
}

export interface VaultStatus {
  dir: string;
  lastRunAt: number | undefined;
  lastError: string | undefined;
  notes: number;
}

/** Whether the server answers this agent: ok, not reachable (down, wrong address, 5xx), or refusing its token. */
export interface ServerCheck {
  state: "ok" | "unreachable" | "unauthorized";
  error?: string | undefined;
  quota?: { used: number; limit: number | null } | undefined;
}

/** The agent's sync state: everything the page shows except its own settings, the quota and memory. */
export type SyncState = Omit<AgentStatus, "server" | "folder" | "exclude" | "quota" | "memory" | "serverCheck">;

/** The running agent as the status page sees it: its state and the four things a user can ask. */
export interface AgentControl {
  syncState(): SyncState;
  setPaused(paused: boolean): void;
  /** List the source folder again and queue what changed. */
  rescan(): Promise<unknown>;
  /** Retry one parked or failing document now ("*": every one). */
  retry(uuid: string): void;
}
