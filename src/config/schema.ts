// The one configuration schema. Every setting is listed once here with its env variable, type,
// default and whether it is a secret (then `<ENV>_FILE` may name a file holding the value).
// Precedence: environment (RMIRROR_*, *_FILE) over the optional JSON config file over defaults.
// Parsing collects every problem and reports them all at once (ConfigError.problems).

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

type Kind = "string" | "int" | "bool" | "enum" | "url";

interface Field {
  /** Dotted key in the config file, e.g. "s3.bucket". */
  key: string;
  env: string;
  kind: Kind;
  default?: string | number | boolean;
  secret?: boolean;
  values?: readonly string[];
  min?: number;
  max?: number;
  help: string;
}

export const FIELDS = [
  { key: "host", env: "RMIRROR_HOST", kind: "string", default: "127.0.0.1", help: "address the HTTP server binds" },
  { key: "port", env: "RMIRROR_PORT", kind: "int", default: 8080, min: 0, max: 65535, help: "HTTP port (0 = any free port)" },
  { key: "publicUrl", env: "RMIRROR_PUBLIC_URL", kind: "url", help: "external base URL used in pairing links (default http://host:port)" },
  { key: "dataDir", env: "RMIRROR_DATA_DIR", kind: "string", default: "./data", help: "data directory (rmirror.db, files/, tmp/)" },
  { key: "dbPath", env: "RMIRROR_DB_PATH", kind: "string", help: "SQLite path (default <dataDir>/rmirror.db)" },
  { key: "storage", env: "RMIRROR_STORAGE", kind: "enum", values: ["disk", "s3"], default: "disk", help: "blob store" },
  { key: "filesDir", env: "RMIRROR_FILES_DIR", kind: "string", help: "disk blob directory (default <dataDir>/files)" },
  { key: "s3.endpoint", env: "RMIRROR_S3_ENDPOINT", kind: "url", help: "S3-compatible endpoint URL" },
  { key: "s3.bucket", env: "RMIRROR_S3_BUCKET", kind: "string", help: "S3 bucket" },
  { key: "s3.region", env: "RMIRROR_S3_REGION", kind: "string", default: "us-east-1", help: "S3 region" },
  { key: "s3.pathStyle", env: "RMIRROR_S3_PATH_STYLE", kind: "bool", default: true, help: "path-style addressing (false = virtual-hosted)" },
  { key: "s3.prefix", env: "RMIRROR_S3_PREFIX", kind: "string", default: "", help: "key prefix inside the bucket" },
  { key: "s3.accessKeyId", env: "RMIRROR_S3_ACCESS_KEY_ID", kind: "string", secret: true, help: "S3 access key id" },
  { key: "s3.secretAccessKey", env: "RMIRROR_S3_SECRET_ACCESS_KEY", kind: "string", secret: true, help: "S3 secret key" },
  { key: "adminEmail", env: "RMIRROR_ADMIN_EMAIL", kind: "string", help: "create this admin on first run" },
  { key: "adminPassword", env: "RMIRROR_ADMIN_PASSWORD", kind: "string", secret: true, help: "password of the first-run admin" },
  { key: "tailscaleAuth", env: "RMIRROR_TAILSCALE_AUTH", kind: "bool", default: false, help: "trust Tailscale-User-Login from loopback peers whose Host is the public URL's (needs RMIRROR_PUBLIC_URL)" },
  { key: "tailscaleUsers", env: "RMIRROR_TAILSCALE_USERS", kind: "string", default: "", help: "Tailscale logins that get an account on first visit, comma-separated (`*@example.com` = a whole domain); others need an existing account" },
  { key: "tailscaleWhois", env: "RMIRROR_TAILSCALE_WHOIS", kind: "enum", values: ["auto", "require", "off"], default: "auto", help: "check Tailscale-User-Login with tailscaled's LocalAPI whois: auto = when tailscaled answers (else the Host, loopback and allow-list rules alone), require = refuse the header when tailscaled cannot be asked, off = never ask" },
  { key: "tailscaleSocket", env: "RMIRROR_TAILSCALE_SOCKET", kind: "string", default: "/var/run/tailscale/tailscaled.sock", help: "tailscaled's LocalAPI unix socket (whois)" },
  { key: "tailscaleProvision", env: "RMIRROR_TAILSCALE_PROVISION", kind: "enum", values: ["allowlist", "whois"], default: "allowlist", help: "who gets an account on a first Tailscale visit: allowlist = RMIRROR_TAILSCALE_USERS only; whois = also any login tailscaled's whois confirms (every user who can reach the machine)" },
  { key: "secureCookies", env: "RMIRROR_SECURE_COOKIES", kind: "bool", help: "Secure flag on cookies (default: publicUrl is https)" },
  { key: "sessionDays", env: "RMIRROR_SESSION_DAYS", kind: "int", default: 30, min: 1, max: 3650, help: "session lifetime" },
  { key: "loginMaxFailures", env: "RMIRROR_LOGIN_MAX_FAILURES", kind: "int", default: 10, min: 1, max: 10000, help: "failed logins per window for one account from one client (5× that from all clients locks the account)" },
  { key: "loginWindowSeconds", env: "RMIRROR_LOGIN_WINDOW_SECONDS", kind: "int", default: 900, min: 1, max: 86400, help: "login rate-limit window" },
  { key: "maxBlobBytes", env: "RMIRROR_MAX_BLOB_BYTES", kind: "int", default: 512 * 1024 * 1024, min: 1, help: "largest blob accepted (also the largest file inside an imported archive)" },
  { key: "maxImportBytes", env: "RMIRROR_MAX_IMPORT_BYTES", kind: "int", default: 2 * 1024 * 1024 * 1024, min: 1, help: "largest .rmdoc/.zip import" },
  { key: "maxBatchDocuments", env: "RMIRROR_MAX_BATCH_DOCUMENTS", kind: "int", default: 500, min: 1, max: 100000, help: "documents per batch request" },
  { key: "trashGraceDays", env: "RMIRROR_TRASH_GRACE_DAYS", kind: "int", default: 30, min: 0, max: 36500, help: "days before deleted documents are purged" },
  { key: "gcGraceHours", env: "RMIRROR_GC_GRACE_HOURS", kind: "int", default: 24, min: 1, max: 87600, help: "hours an unreferenced blob is kept after its last upload or render before garbage collection deletes it" },
  { key: "jobs.renderConcurrency", env: "RMIRROR_JOBS_RENDER_CONCURRENCY", kind: "int", default: 2, min: 1, max: 64, help: "parallel render jobs" },
  { key: "jobs.leaseSeconds", env: "RMIRROR_JOBS_LEASE_SECONDS", kind: "int", default: 120, min: 1, max: 86400, help: "job lease before a crashed job is retried" },
  { key: "jobs.maxAttempts", env: "RMIRROR_JOBS_MAX_ATTEMPTS", kind: "int", default: 5, min: 1, max: 100, help: "attempts before a job fails for good" },
  { key: "jobs.pollMs", env: "RMIRROR_JOBS_POLL_MS", kind: "int", default: 500, min: 10, max: 60000, help: "idle poll interval of the job runner" },
  { key: "jobs.keepDays", env: "RMIRROR_JOBS_KEEP_DAYS", kind: "int", default: 14, min: 0, max: 3650, help: "days finished, failed and cancelled jobs stay in the Activity view before housekeeping deletes them" },
  { key: "jobs.keepPerUser", env: "RMIRROR_JOBS_KEEP_PER_USER", kind: "int", default: 10000, min: 0, max: 10_000_000, help: "finished jobs kept per user at most (the newest), whatever their age" },
  { key: "changes.keepDays", env: "RMIRROR_CHANGES_KEEP_DAYS", kind: "int", default: 30, min: 1, max: 36500, help: "days the change feed keeps deletions (a client cursor older than that gets 410 cursor_expired and resyncs)" },
  { key: "webhooks.allowPrivate", env: "RMIRROR_WEBHOOK_ALLOW_PRIVATE", kind: "bool", default: false, help: "allow webhook endpoints on private, loopback and link-local addresses (off: refused, against SSRF)" },
  { key: "webhooks.timeoutSeconds", env: "RMIRROR_WEBHOOK_TIMEOUT_SECONDS", kind: "int", default: 10, min: 1, max: 120, help: "time a webhook endpoint has to answer one delivery" },
  { key: "webhooks.maxAttempts", env: "RMIRROR_WEBHOOK_MAX_ATTEMPTS", kind: "int", default: 15, min: 1, max: 100, help: "delivery attempts of one webhook event before it is marked failed (redeliver from the dashboard)" },
  { key: "webhooks.retryBaseMs", env: "RMIRROR_WEBHOOK_RETRY_BASE_MS", kind: "int", default: 10_000, min: 10, max: 3_600_000, help: "first retry delay of a failed webhook delivery; doubles per attempt up to 6 hours" },
  { key: "ocr.engine", env: "RMIRROR_OCR_ENGINE", kind: "enum", values: ["anthropic", "openai", "gemini"], default: "anthropic", help: "OCR engine: anthropic (Claude), openai (OpenAI or any OpenAI-compatible server: Ollama, vLLM, LM Studio, OpenRouter) or gemini (Google Gemini)" },
  { key: "ocr.apiKey", env: "RMIRROR_ANTHROPIC_API_KEY", kind: "string", secret: true, help: "Anthropic API key for OCR (engine anthropic; unset: pages wait in pending_ocr)" },
  { key: "ocr.baseUrl", env: "RMIRROR_ANTHROPIC_BASE_URL", kind: "url", help: "Anthropic API base URL (default the public API)" },
  { key: "ocr.model", env: "RMIRROR_OCR_MODEL", kind: "string", default: "claude-haiku-5-5", help: "Claude model used for handwriting OCR (engine anthropic)" },
  { key: "ocr.openai.apiKey", env: "RMIRROR_OPENAI_API_KEY", kind: "string", secret: true, help: "API key for engine openai (not needed for a local server such as Ollama when RMIRROR_OPENAI_BASE_URL is set)" },
  { key: "ocr.openai.baseUrl", env: "RMIRROR_OPENAI_BASE_URL", kind: "url", help: "OpenAI-compatible API base URL including /v1, e.g. http://localhost:11434/v1 for Ollama (default the OpenAI API)" },
  { key: "ocr.openai.model", env: "RMIRROR_OPENAI_MODEL", kind: "string", default: "gpt-5.4-mini", help: "vision model for engine openai (for Ollama e.g. qwen3-vl:8b)" },
  { key: "ocr.openai.reasoningEffort", env: "RMIRROR_OPENAI_REASONING_EFFORT", kind: "string", default: "", help: "reasoning_effort sent with each page (empty: \"none\" on the OpenAI API, not sent to other servers)" },
  { key: "ocr.gemini.apiKey", env: "RMIRROR_GEMINI_API_KEY", kind: "string", secret: true, help: "Gemini API key for engine gemini" },
  { key: "ocr.gemini.baseUrl", env: "RMIRROR_GEMINI_BASE_URL", kind: "url", help: "Gemini API base URL (default the public API)" },
  { key: "ocr.gemini.model", env: "RMIRROR_GEMINI_MODEL", kind: "string", default: "gemini-3.8-flash", help: "Gemini model for engine gemini" },
  { key: "ocr.gemini.thinking", env: "RMIRROR_GEMINI_THINKING", kind: "enum", values: ["minimal", "low", "medium", "high"], default: "low", help: "thinking level for Gemini OCR requests: low is the lowest every current Flash model accepts (thinking tokens count toward the output budget); minimal where the model offers it (2.5 models: thinkingBudget 0)" },
  { key: "ocr.maxTokens", env: "RMIRROR_OCR_MAX_TOKENS", kind: "int", default: 4096, min: 256, max: 64000, help: "max output tokens per OCR page" },
  { key: "ocr.thinking", env: "RMIRROR_OCR_THINKING", kind: "enum", values: ["disabled", "adaptive"], default: "disabled", help: "thinking for OCR requests: disabled (transcription needs none; thinking tokens would count toward max_tokens) or adaptive at low effort (for models that cannot turn thinking off)" },
  { key: "ocr.settleSeconds", env: "RMIRROR_OCR_SETTLE_SECONDS", kind: "int", default: 900, min: 0, max: 86400, help: "a changed page is read once it has not changed for this long (0 = at once); \"OCR now\" does not wait" },
  { key: "ocr.concurrency", env: "RMIRROR_OCR_CONCURRENCY", kind: "int", default: 2, min: 1, max: 32, help: "parallel OCR requests" },
  { key: "ocr.timeoutSeconds", env: "RMIRROR_OCR_TIMEOUT_SECONDS", kind: "int", default: 120, min: 1, max: 3600, help: "timeout of one OCR request" },
  { key: "ocr.languages", env: "RMIRROR_OCR_LANGUAGES", kind: "string", default: "", help: "language hint for the OCR prompt, e.g. \"German, English\"" },
  { key: "quota.defaultPages", env: "RMIRROR_QUOTA_DEFAULT_PAGES", kind: "int", default: 30, min: -1, max: 10_000_000, help: "OCR pages per user per month unless set per user or by an admin (-1 = unlimited)" },
  { key: "quota.timezone", env: "RMIRROR_QUOTA_TIMEZONE", kind: "string", default: "UTC", help: "time zone of the quota month (IANA name)" },
  { key: "smtp.url", env: "RMIRROR_SMTP_URL", kind: "string", secret: true, help: "SMTP server for notification email, e.g. smtps://user:pass@mail.example:465 (unset: no email)" },
  { key: "smtp.from", env: "RMIRROR_SMTP_FROM", kind: "string", default: "rmirror <rmirror@localhost>", help: "sender address of notification email" },
  { key: "notion.clientId", env: "RMIRROR_NOTION_CLIENT_ID", kind: "string", help: "OAuth client id of a public Notion integration (unset: internal-token mode only)" },
  { key: "notion.clientSecret", env: "RMIRROR_NOTION_CLIENT_SECRET", kind: "string", secret: true, help: "OAuth client secret of the public Notion integration" },
  { key: "notion.redirectUrl", env: "RMIRROR_NOTION_REDIRECT_URL", kind: "url", help: "OAuth redirect URL registered with Notion (default <publicUrl>/notion/oauth/callback)" },
  { key: "notion.apiBaseUrl", env: "RMIRROR_NOTION_API_BASE_URL", kind: "url", default: "https://api.notion.com", help: "Notion API base URL (tests point it at a fake)" },
  { key: "notion.key", env: "RMIRROR_NOTION_KEY", kind: "string", secret: true, help: "key material for encrypting stored Notion tokens (default: derived from the stored server secret)" },
  { key: "notion.requestsPerSecond", env: "RMIRROR_NOTION_RATE", kind: "int", default: 3, min: 1, max: 100, help: "Notion requests per second per token" },
  { key: "notion.maxRetries", env: "RMIRROR_NOTION_MAX_RETRIES", kind: "int", default: 4, min: 0, max: 20, help: "SDK retries of one Notion request on 429/529 (honouring Retry-After) before the job is deferred" },
  { key: "notion.initialPageLimit", env: "RMIRROR_NOTION_INITIAL_PAGE_LIMIT", kind: "int", default: 2000, min: 0, max: 10_000_000, help: "reMarkable pages whose content the first sync writes (newest notebooks first; 0 = no limit)" },
  { key: "notion.debounceMs", env: "RMIRROR_NOTION_DEBOUNCE_MS", kind: "int", default: 3000, min: 0, max: 600_000, help: "delay before a changed notebook is synced (changes meanwhile coalesce)" },
  { key: "metricsToken", env: "RMIRROR_METRICS_TOKEN", kind: "string", secret: true, help: "bearer token that may read GET /metrics (loopback callers and admins may always)" },
  { key: "notion.todos", env: "RMIRROR_NOTION_TODOS", kind: "bool", default: false, help: "also mirror checkbox items into a second Notion database \"reMarkable to-dos\"" },
  { key: "exportDir", env: "RMIRROR_EXPORT_DIR", kind: "string", help: "keep every user's library as a Markdown vault in <dir>/<email>/ (for Syncthing/Nextcloud; unset: off)" },
  { key: "exportMinutes", env: "RMIRROR_EXPORT_MINUTES", kind: "int", default: 5, min: 1, max: 1440, help: "how often the export folder follows the change feed" },
  { key: "todoist.apiBaseUrl", env: "RMIRROR_TODOIST_API_BASE_URL", kind: "url", default: "https://api.todoist.com", help: "Todoist API base URL (tests point it at a fake)" },
  { key: "todoist.debounceMs", env: "RMIRROR_TODOIST_DEBOUNCE_MS", kind: "int", default: 5000, min: 0, max: 600_000, help: "delay before changed to-dos are pushed to Todoist (changes meanwhile coalesce)" },
  { key: "agentDir", env: "RMIRROR_AGENT_DIR", kind: "string", help: "folder holding the agent executables the server hands out at /download/agent/<platform> (rmirror-darwin-arm64, rmirror-linux-x64, rmirror-windows-x64.exe, …: what `npm run build` writes to dist/; the Docker image sets it)" },
  { key: "logLevel", env: "RMIRROR_LOG_LEVEL", kind: "enum", values: ["debug", "info", "warn", "error", "silent"], default: "info", help: "log level" },
] as const satisfies readonly Field[];

export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  dbPath: string;
  storage: "disk" | "s3";
  filesDir: string;
  s3: {
    endpoint?: string;
    bucket?: string;
    region: string;
    pathStyle: boolean;
    prefix: string;
    accessKeyId?: string;
    secretAccessKey?: string;
  };
  adminEmail?: string;
  adminPassword?: string;
  tailscaleAuth: boolean;
  tailscaleUsers: string;
  tailscaleWhois: "auto" | "require" | "off";
  tailscaleSocket: string;
  tailscaleProvision: "allowlist" | "whois";
  secureCookies: boolean;
  sessionDays: number;
  loginMaxFailures: number;
  loginWindowSeconds: number;
  maxBlobBytes: number;
  maxImportBytes: number;
  maxBatchDocuments: number;
  trashGraceDays: number;
  gcGraceHours: number;
  jobs: { renderConcurrency: number; leaseSeconds: number; maxAttempts: number; pollMs: number; keepDays: number; keepPerUser: number };
  changes: { keepDays: number };
  webhooks: { allowPrivate: boolean; timeoutSeconds: number; maxAttempts: number; retryBaseMs: number };
  ocr: { engine: "anthropic" | "openai" | "gemini"; apiKey?: string; baseUrl?: string; model: string; openai: { apiKey?: string; baseUrl?: string; model: string; reasoningEffort: string }; gemini: { apiKey?: string; baseUrl?: string; model: string; thinking: "minimal" | "low" | "medium" | "high" }; maxTokens: number; thinking: "disabled" | "adaptive"; settleSeconds: number; concurrency: number; timeoutSeconds: number; languages: string };
  quota: { defaultPages: number; timezone: string };
  smtp: { url?: string; from: string };
  notion: { clientId?: string; clientSecret?: string; redirectUrl: string; apiBaseUrl: string; key?: string; requestsPerSecond: number; maxRetries: number; initialPageLimit: number; debounceMs: number; todos: boolean };
  todoist: { apiBaseUrl: string; debounceMs: number };
  exportDir?: string;
  exportMinutes: number;
  metricsToken?: string;
  agentDir?: string;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`config: ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
  }
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file; default RMIRROR_CONFIG, else none. */
  file?: string;
  /** Values that win over everything (tests, CLI flags). Dotted keys. */
  overrides?: Record<string, string | number | boolean | undefined>;
}

function getPath(obj: unknown, key: string): unknown {
  let cur: unknown = obj;
  for (const part of key.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split(".");
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    cur[part] ??= {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

function coerce(f: Field, raw: unknown, origin: string, problems: string[]): unknown {
  const bad = (why: string) => {
    problems.push(`${origin}: ${why}`);
    return undefined;
  };
  switch (f.kind) {
    case "string":
      if (typeof raw !== "string") return bad("expected a string");
      return raw;
    case "url": {
      if (typeof raw !== "string") return bad("expected a URL string");
      try {
        const u = new URL(raw);
        if (u.protocol !== "http:" && u.protocol !== "https:") return bad(`expected an http(s) URL, got ${u.protocol}`);
      } catch {
        return bad(`not a valid URL: ${JSON.stringify(raw)}`);
      }
      return raw.replace(/\/+$/, "");
    }
    case "int": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (!Number.isSafeInteger(n)) return bad(`expected an integer, got ${JSON.stringify(raw)}`);
      if (f.min !== undefined && n < f.min) return bad(`must be ≥ ${f.min}, got ${n}`);
      if (f.max !== undefined && n > f.max) return bad(`must be ≤ ${f.max}, got ${n}`);
      return n;
    }
    case "bool": {
      if (typeof raw === "boolean") return raw;
      const s = typeof raw === "string" ? raw.trim().toLowerCase() : "";
      if (["1", "true", "yes", "on"].includes(s)) return true;
      if (["0", "false", "no", "off"].includes(s)) return false;
      return bad(`expected true/false, got ${JSON.stringify(raw)}`);
    }
    case "enum":
      if (typeof raw !== "string" || !f.values!.includes(raw)) return bad(`expected one of ${f.values!.join(", ")}, got ${JSON.stringify(raw)}`);
      return raw;
  }
}

/** Parse the configuration once. Throws ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  let fileData: unknown = {};
  const filePath = opts.file ?? env.RMIRROR_CONFIG;
  if (filePath) {
    if (!existsSync(filePath)) problems.push(`config file ${filePath}: not found`);
    else {
      try {
        fileData = JSON.parse(readFileSync(filePath, "utf8"));
        if (fileData === null || typeof fileData !== "object" || Array.isArray(fileData)) {
          problems.push(`config file ${filePath}: expected a JSON object`);
          fileData = {};
        }
      } catch (e) {
        problems.push(`config file ${filePath}: invalid JSON (${(e as Error).message})`);
      }
    }
  }
  const known = new Set<string>(FIELDS.map((f) => f.key));
  const walk = (o: unknown, prefix: string) => {
    if (o === null || typeof o !== "object" || Array.isArray(o)) return;
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (known.has(key)) continue;
      if (v !== null && typeof v === "object" && [...known].some((x) => x.startsWith(key + "."))) walk(v, key);
      else problems.push(`config file ${filePath}: unknown setting "${key}"`);
    }
  };
  walk(fileData, "");

  const out: Record<string, unknown> = {};
  for (const f of FIELDS as readonly Field[]) {
    let value: unknown = f.default;
    const fromFile = getPath(fileData, f.key);
    if (fromFile !== undefined && fromFile !== null) value = coerce(f, fromFile, `config file ${filePath}: ${f.key}`, problems);
    const envVal = env[f.env];
    const fileVar = f.secret ? env[`${f.env}_FILE`] : undefined;
    if (envVal !== undefined && envVal !== "" && fileVar) problems.push(`${f.env} and ${f.env}_FILE are both set: use one`);
    if (envVal !== undefined && envVal !== "") value = coerce(f, envVal, f.env, problems);
    else if (fileVar) {
      try {
        value = coerce(f, readFileSync(fileVar, "utf8").replace(/\r?\n$/, ""), `${f.env}_FILE`, problems);
      } catch (e) {
        problems.push(`${f.env}_FILE: cannot read ${fileVar} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    const ov = opts.overrides?.[f.key];
    if (ov !== undefined) value = coerce(f, ov, `override ${f.key}`, problems);
    if (value !== undefined) setPath(out, f.key, value);
  }
  out.s3 ??= {};
  out.ocr ??= {};
  (out.ocr as Record<string, unknown>).openai ??= {};
  (out.ocr as Record<string, unknown>).gemini ??= {};
  out.smtp ??= {};
  out.notion ??= {};
  out.todoist ??= {};

  const c = out as unknown as Config;
  c.dataDir = resolve(c.dataDir);
  c.dbPath = c.dbPath ? (c.dbPath === ":memory:" ? c.dbPath : resolve(c.dbPath)) : join(c.dataDir, "rmirror.db");
  c.filesDir = resolve(c.filesDir ?? join(c.dataDir, "files"));
  if (c.agentDir !== undefined) c.agentDir = resolve(c.agentDir);
  if (c.tailscaleAuth && c.publicUrl === undefined)
    problems.push("RMIRROR_TAILSCALE_AUTH=true needs RMIRROR_PUBLIC_URL (the https://<machine>.<tailnet>.ts.net address tailscale serve answers on): the Tailscale-User-Login header is trusted only on requests for that host");
  for (const entry of splitList(c.tailscaleUsers ?? ""))
    if (!/^(\*|[^\s@*]{1,64})@[^\s@*]{1,255}$/.test(entry)) problems.push(`RMIRROR_TAILSCALE_USERS: ${JSON.stringify(entry)} is not a login (name@domain) or a domain pattern (*@domain)`);
  if (c.tailscaleProvision === "whois" && c.tailscaleWhois === "off")
    problems.push("RMIRROR_TAILSCALE_PROVISION=whois needs tailscaled's whois: RMIRROR_TAILSCALE_WHOIS must be auto or require, not off");
  c.publicUrl ??= defaultPublicUrl(c.host, c.port);
  c.secureCookies ??= c.publicUrl.startsWith("https:");
  c.notion.redirectUrl ??= `${c.publicUrl}/notion/oauth/callback`;
  if ((c.notion.clientId === undefined) !== (c.notion.clientSecret === undefined))
    problems.push("RMIRROR_NOTION_CLIENT_ID and RMIRROR_NOTION_CLIENT_SECRET must be set together");
  if (c.storage === "s3") {
    if (!c.s3.endpoint) problems.push("RMIRROR_S3_ENDPOINT is required when RMIRROR_STORAGE=s3");
    if (!c.s3.bucket) problems.push("RMIRROR_S3_BUCKET is required when RMIRROR_STORAGE=s3");
    if (!c.s3.accessKeyId) problems.push("RMIRROR_S3_ACCESS_KEY_ID (or _FILE) is required when RMIRROR_STORAGE=s3");
    if (!c.s3.secretAccessKey) problems.push("RMIRROR_S3_SECRET_ACCESS_KEY (or _FILE) is required when RMIRROR_STORAGE=s3");
  }
  if ((c.adminEmail === undefined) !== (c.adminPassword === undefined))
    problems.push("RMIRROR_ADMIN_EMAIL and RMIRROR_ADMIN_PASSWORD must be set together");
  if (c.adminPassword !== undefined && c.adminPassword.length < 8) problems.push("RMIRROR_ADMIN_PASSWORD: must be at least 8 characters");
  // The first Intl.DateTimeFormat loads ICU's time zone data (20–50 ms on 2 cores): UTC, the
  // default, is always valid, so a default start does not pay for it (issue 18: start < 300 ms).
  try {
    if (c.quota.timezone !== "UTC") new Intl.DateTimeFormat("en", { timeZone: c.quota.timezone });
  } catch {
    problems.push(`RMIRROR_QUOTA_TIMEZONE: unknown time zone ${JSON.stringify(c.quota.timezone)}`);
  }
  if (c.smtp.url !== undefined && !/^smtps?:\/\//.test(c.smtp.url)) problems.push("RMIRROR_SMTP_URL: expected smtp:// or smtps:// URL");
  if (problems.length) throw new ConfigError(problems);
  return c;
}

/** A comma-separated setting as trimmed, non-empty entries. */
export function splitList(s: string): string[] {
  return s.split(",").map((x) => x.trim()).filter(Boolean);
}

/** One line per setting, for `--help` output and docs. */
export function describeConfig(): string {
  return (FIELDS as readonly Field[])
    .map((f) => `  ${f.env.padEnd(34)} ${f.help}${f.default !== undefined && f.default !== "" ? ` (default ${f.default})` : ""}${f.secret ? " [or _FILE]" : ""}`)
    .join("\n");
}

/** publicUrl when none is configured: the bind address (only right when the port is fixed). */
export function defaultPublicUrl(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "localhost" : host}:${port}`;
}
