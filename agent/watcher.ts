// Change detection: chokidar events → the document's uuid → a trailing-edge debounce per
// document (the app writes several files per save; nothing is read until the writes have
// stopped for `debounceMs`) → the outbox. A periodic full rescan catches anything the watcher
// missed (and is the only source of changes when watching is impossible). When the native
// watcher fails (inotify limits, network folders) it restarts in polling mode. chokidar is loaded
// only when it is used (it costs ~5 MB of memory just loaded; the native watcher is the default).
import type { FSWatcher } from "chokidar";
import { watch as fsWatch, type FSWatcher as NativeWatcher } from "node:fs";
import { readdir } from "node:fs/promises";
import { relative, sep } from "node:path";
import { isUuid } from "../src/rm/container/find-items.ts";
import type { Logger } from "../src/log.ts";

const IGNORED = /(\.thumbnails|\.cache|\.textconversion)([\\/]|$)/;

/** The document a path in the source folder belongs to (`<uuid>.metadata`, `<uuid>/<page>.rm`, …). */
export function uuidOfPath(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  if (!rel || rel.startsWith("..")) return undefined;
  const first = rel.split(sep)[0]!.split("/")[0]!;
  const uuid = first.slice(0, 36);
  return isUuid(uuid) && (first.length === 36 || first[36] === ".") ? uuid.toLowerCase() : undefined;
}

/** Every document uuid present at the top of the source folder. */
export async function listUuids(root: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const name of await readdir(root)) {
    const uuid = name.slice(0, 36);
    if (isUuid(uuid) && (name.length === 36 || name[36] === ".")) out.add(uuid.toLowerCase());
  }
  return out;
}

export class Debouncer {
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  constructor(
    private delayMs: number,
    private fire: (keys: string[]) => void,
  ) {}

  touch(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.fire([key]);
      }, this.delayMs),
    );
  }

  get pending(): number {
    return this.timers.size;
  }

  cancel(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

export type WatchMode = "chokidar" | "native" | "poll";

export interface WatcherOptions {
  debounceMs: number;
  /** native recursive fs.watch (lighter on memory; config.ts defaultWatch), chokidar, or chokidar polling. */
  mode?: WatchMode;
  usePolling?: boolean;
  pollIntervalMs?: number;
  onChange: (uuids: string[]) => void;
  log: Logger;
}

export class FolderWatcher {
  private watcher: FSWatcher | undefined;
  private native: NativeWatcher | undefined;
  private debouncer: Debouncer;
  private stopped = false;
  polling: boolean;
  ready: Promise<void> = Promise.resolve();

  constructor(
    readonly root: string,
    private opts: WatcherOptions,
  ) {
    this.polling = !!opts.usePolling || opts.mode === "poll";
    this.debouncer = new Debouncer(opts.debounceMs, opts.onChange);
  }

  start(): Promise<void> {
    if (this.opts.mode === "native" && !this.polling) {
      try {
        this.native = fsWatch(this.root, { recursive: true, persistent: true }, (_event, name) => {
          if (!name) {
            // The OS says something changed without saying what (FSEvents asking for a rescan, an
            // overflowed event buffer): check every document (unchanged ones cost a stat per file).
            void listUuids(this.root)
              .then((all) => all.forEach((u) => this.debouncer.touch(u)))
              .catch(() => undefined);
            return;
          }
          const rel = String(name);
          if (IGNORED.test(rel)) return;
          const uuid = uuidOfPath(this.root, `${this.root}${sep}${rel}`);
          if (uuid) this.debouncer.touch(uuid);
        });
        this.native.on("error", (err) => {
          this.opts.log.warn("watcher error; switching to polling", { error: err.message });
          this.native?.close();
          this.native = undefined;
          this.polling = true;
          void this.start();
        });
        this.ready = Promise.resolve();
        return this.ready;
      } catch (e) {
        this.opts.log.warn("native watcher unavailable; using polling", { error: (e as Error).message });
        this.polling = true;
      }
    }
    this.ready = this.startChokidar();
    return this.ready;
  }

  private async startChokidar(): Promise<void> {
    const { watch } = await import("chokidar");
    if (this.stopped) return;
    const w = watch(this.root, {
      ignoreInitial: true,
      persistent: true,
      depth: 2,
      ignored: (path: string) => IGNORED.test(path),
      usePolling: this.polling,
      interval: this.opts.pollIntervalMs ?? 1000,
      binaryInterval: this.opts.pollIntervalMs ?? 1000,
    });
    this.watcher = w;
    w.on("all", (_event, path) => {
      const uuid = uuidOfPath(this.root, path);
      if (uuid) this.debouncer.touch(uuid);
    });
    w.on("error", (err) => {
      this.opts.log.warn("watcher error", { error: err instanceof Error ? err.message : String(err), polling: this.polling });
      if (!this.polling) {
        this.polling = true;
        void w.close().then(() => this.start());
      }
    });
    await new Promise<void>((resolve) => w.once("ready", () => resolve()));
  }

  get pending(): number {
    return this.debouncer.pending;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.debouncer.cancel();
    this.native?.close();
    await this.watcher?.close();
  }
}
