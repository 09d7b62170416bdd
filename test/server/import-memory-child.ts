// Child process of test/server/import-memory.test.ts: import one archive through the real route
// (raw body streamed from the file) and report the peak RSS of this process during the import.
// Linux: the peak is VmHWM from /proc/self/status, reset just before the import (clear_refs 5).
//   bun test/server/import-memory-child.ts <archive> <name>
import { readFileSync, writeFileSync } from "node:fs";
import { addUser, call, harness } from "../support/server-harness.ts";

const [file, name] = process.argv.slice(2) as [string, string];
const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? NaN) * 1024;

const h = await harness();
try {
  const u = await addUser(h, "memory@example.com");
  Bun.gc(true);
  const before = kb("VmRSS");
  writeFileSync("/proc/self/clear_refs", "5"); // VmHWM := VmRSS
  const res = await call(h, "POST", `/api/v1/import?filename=${encodeURIComponent(name)}`, { token: u.token, body: Bun.file(file), headers: { "content-type": "application/zip" } });
  const peak = kb("VmHWM");
  const body = await res.json();
  console.log(JSON.stringify({ status: res.status, body, before, peak }));
} finally {
  await h.close();
}
