import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/schema.ts";

const dir = mkdtempSync(join(tmpdir(), "rmirror-cfg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("defaults: loopback, port 8080, ./data with SQLite + disk, no keys needed", () => {
  const c = loadConfig({ env: {} });
  expect(c.host).toBe("127.0.0.1");
  expect(c.port).toBe(8080);
  expect(c.dataDir).toBe(resolve("./data"));
  expect(c.dbPath).toBe(join(resolve("./data"), "rmirror.db"));
  expect(c.filesDir).toBe(join(resolve("./data"), "files"));
  expect(c.storage).toBe("disk");
  expect(c.tailscaleAuth).toBe(false);
  expect(c.publicUrl).toBe("http://127.0.0.1:8080");
  expect(c.secureCookies).toBe(false);
});

test("env over config file over defaults; *_FILE secrets", () => {
  const file = join(dir, "c.json");
  writeFileSync(file, JSON.stringify({ port: 9000, host: "0.0.0.0", storage: "s3", s3: { endpoint: "http://127.0.0.1:9", bucket: "b", pathStyle: false } }));
  const secret = join(dir, "secret");
  writeFileSync(secret, "s3cr3t\n");
  const c = loadConfig({ file, env: { RMIRROR_PORT: "9100", RMIRROR_S3_ACCESS_KEY_ID: "AK", RMIRROR_S3_SECRET_ACCESS_KEY_FILE: secret } });
  expect(c.port).toBe(9100);
  expect(c.host).toBe("0.0.0.0");
  expect(c.s3).toMatchObject({ endpoint: "http://127.0.0.1:9", bucket: "b", pathStyle: false, accessKeyId: "AK", secretAccessKey: "s3cr3t" });
});

test("every problem is reported at once", () => {
  let err: ConfigError | undefined;
  try {
    loadConfig({
      env: {
        RMIRROR_PORT: "eighty",
        RMIRROR_STORAGE: "ftp",
        RMIRROR_TAILSCALE_AUTH: "maybe",
        RMIRROR_PUBLIC_URL: "not a url",
        RMIRROR_ADMIN_EMAIL: "a@b.c",
        RMIRROR_S3_SECRET_ACCESS_KEY: "x",
        RMIRROR_S3_SECRET_ACCESS_KEY_FILE: "/nonexistent",
        RMIRROR_JOBS_RENDER_CONCURRENCY: "0",
      },
    });
  } catch (e) {
    err = e as ConfigError;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const text = err!.problems.join("\n");
  for (const needle of ["RMIRROR_PORT", "RMIRROR_STORAGE", "RMIRROR_TAILSCALE_AUTH", "RMIRROR_PUBLIC_URL", "must be set together", "both set", "RMIRROR_JOBS_RENDER_CONCURRENCY"]) expect(text).toContain(needle);
  expect(err!.problems.length).toBeGreaterThanOrEqual(7);
});

test("S3 storage requires endpoint, bucket and credentials; unknown file keys and bad JSON are errors", () => {
  expect(() => loadConfig({ env: { RMIRROR_STORAGE: "s3" } })).toThrow(/S3_ENDPOINT[\s\S]*S3_BUCKET[\s\S]*ACCESS_KEY_ID[\s\S]*SECRET_ACCESS_KEY/);
  const file = join(dir, "bad.json");
  writeFileSync(file, JSON.stringify({ prot: 1, s3: { bukket: "x" } }));
  expect(() => loadConfig({ env: {}, file })).toThrow(/unknown setting "prot"[\s\S]*unknown setting "s3.bukket"/);
  writeFileSync(file, "{nope");
  expect(() => loadConfig({ env: {}, file })).toThrow(/invalid JSON/);
});

test("the quota time zone: UTC by default, another IANA name accepted, an unknown one refused", () => {
  expect(loadConfig({ env: {} }).quota.timezone).toBe("UTC");
  expect(loadConfig({ env: { RMIRROR_QUOTA_TIMEZONE: "Europe/Berlin" } }).quota.timezone).toBe("Europe/Berlin");
  expect(() => loadConfig({ env: { RMIRROR_QUOTA_TIMEZONE: "Mars/Olympus_Mons" } })).toThrow(/RMIRROR_QUOTA_TIMEZONE: unknown time zone "Mars\/Olympus_Mons"/);
});
