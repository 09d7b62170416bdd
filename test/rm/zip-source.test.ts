import { describe, expect, test } from "bun:test";
import { zipSync } from "fflate";
import { normaliseEntryPath } from "../../src/rm/container/entry-path.ts";
import { openZipSource } from "../../src/rm/container/zip-source.ts";
import { RmFormatError } from "../../src/rm/errors.ts";
import { buildZip, buildZip64WithCount } from "./build-zip.ts";

const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

async function rejection(fn: () => unknown): Promise<RmFormatError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof RmFormatError) return e;
    throw e;
  }
  throw new Error("expected an RmFormatError");
}

describe("entry names", () => {
  test("leading slashes stripped, doubled slashes collapsed, backslashes and ./ handled", () => {
    expect(normaliseEntryPath("/abc.content")).toBe("abc.content");
    expect(normaliseEntryPath("uuid//0.rm")).toBe("uuid/0.rm");
    expect(normaliseEntryPath("./a\\b.rm")).toBe("a/b.rm");
    expect(normaliseEntryPath("dir/")).toBe("");
  });

  test("traversal and drive letters are unsafe", () => {
    for (const bad of ["../x", "a/../../b", "a/..", "C:/Windows/x", "c:\\x", "a\0b"]) expect(normaliseEntryPath(bad)).toBeUndefined();
  });
});

describe("openZipSource", () => {
  test("lists normalised names and reads stored and deflated entries lazily", async () => {
    const zip = buildZip([
      { name: "/u.content", data: '{"fileType":"notebook"}' },
      { name: "u//0.rm", data: "x".repeat(5000), deflate: true },
      { name: "u/", data: "" },
    ]);
    const src = openZipSource(zip, "t.zip");
    expect(src.label).toBe("t.zip");
    expect(src.list()).toEqual(["u.content", "u/0.rm"]);
    expect(text(await src.read("u.content"))).toBe('{"fileType":"notebook"}');
    expect(text(await src.read("u/0.rm"))).toBe("x".repeat(5000));
    expect(await src.read("missing")).toBeUndefined();
  });

  test("reads archives written by fflate's zipSync (large deflated entry, multiple chunks)", async () => {
    const big = new Uint8Array(300_000).map((_, i) => (i * 31) % 251);
    const src = openZipSource(zipSync({ "a/b.rm": big, "a.metadata": new TextEncoder().encode("{}") }), "f.zip");
    expect(await src.read("a/b.rm")).toEqual(big);
  });

  test("maxBytes on read refuses a large entry before inflating it", async () => {
    const src = openZipSource(buildZip([{ name: "a.json", data: "x".repeat(100), deflate: true }]), "t.zip");
    const e = await rejection(() => src.read("a.json", 10));
    expect([e.code, e.file]).toEqual(["too_large", "a.json"]);
  });

  test("path traversal entries reject the archive", async () => {
    for (const name of ["../evil.rm", "u/../../etc/passwd", "C:/evil"]) {
      const e = await rejection(() => openZipSource(buildZip([{ name: "ok.content", data: "{}" }, { name, data: "x" }]), "trav.zip"));
      expect([e.code, e.file]).toEqual(["bad_container", "trav.zip"]);
      expect(e.message).toContain("unsafe name");
    }
  });

  test("bomb by declared size: the sum of declared sizes over the limit is refused at open", async () => {
    const e = await rejection(() => openZipSource(buildZip([{ name: "a", data: "x", declaredSize: 3_000_000_000 }]), "bomb.zip"));
    expect([e.code, e.file]).toEqual(["too_large", "bomb.zip"]);
    const many = buildZip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: "x".repeat(100) })));
    expect((await rejection(() => openZipSource(many, "m.zip", { maxBytes: 400 }))).code).toBe("too_large");
    expect(openZipSource(many, "m.zip", { maxBytes: 500 }).list()).toHaveLength(5);
  });

  test("bomb by lying size: inflation stops once past the declared size", async () => {
    const zeros = new Uint8Array(20 * 1024 * 1024);
    const src = openZipSource(buildZip([{ name: "liar.rm", data: zeros, deflate: true, declaredSize: 1000 }]), "liar.zip");
    const e = await rejection(() => src.read("liar.rm"));
    // Refused while inflating, at the first output past the declared size (not after inflating
    // all 20 MB, which would end in "got 20971520" instead). Timing: bench/hostile-input.ts.
    expect([e.code, e.file]).toEqual(["too_large", "liar.rm"]);
    expect(e.message).toContain("entry inflates past its declared size");
    expect(e.message).not.toContain("got ");
  });

  test("stream: an entry comes out in chunks of at most ~1 MB that add up to its bytes; a liar is stopped the same way", async () => {
    const data = new Uint8Array(6 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data[i] = i % 251;
    const src = openZipSource(buildZip([{ name: "big.bin", data, deflate: true }, { name: "flat.bin", data }]), "s.zip");
    for (const name of ["big.bin", "flat.bin"]) {
      const chunks = [...src.stream!(name)!];
      expect(chunks.length).toBeGreaterThan(5);
      expect(Math.max(...chunks.map((c) => c.byteLength))).toBeLessThanOrEqual(1100 * 1024);
      expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
    }
    expect(src.size!("big.bin")).toBe(data.length);
    expect(src.stream!("missing")).toBeUndefined();
    expect((await rejection(async () => [...src.stream!("big.bin", 1000)!])).code).toBe("too_large");
    const liar = openZipSource(buildZip([{ name: "liar.rm", data: new Uint8Array(20 * 1024 * 1024), deflate: true, declaredSize: 1000 }]), "l.zip");
    const e = await rejection(async () => [...liar.stream!("liar.rm")!]);
    expect([e.code, e.file]).toEqual(["too_large", "liar.rm"]);
    expect(e.message).toContain("entry inflates past its declared size");
  });

  test("an entry that inflates to less than declared is a bad container", async () => {
    const src = openZipSource(buildZip([{ name: "short", data: "abc", deflate: true, declaredSize: 10 }]), "s.zip");
    expect((await rejection(() => src.read("short"))).code).toBe("bad_container");
    const stored = openZipSource(buildZip([{ name: "st", data: "abc", declaredSize: 10 }]), "s.zip");
    expect((await rejection(() => stored.read("st"))).code).toBe("bad_container");
  });

  test("too many entries: refused from the declared count, before reading them", async () => {
    const few = buildZip(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, data: "" })));
    expect((await rejection(() => openZipSource(few, "few.zip", { maxEntries: 10 }))).code).toBe("too_large");
    // a zip64 end record declaring a billion entries is refused with the default limit
    const e = await rejection(() => openZipSource(buildZip64WithCount(1_000_000_000), "z64.zip"));
    expect([e.code, e.file]).toEqual(["too_large", "z64.zip"]);
  });

  test("corrupt archives → bad_container", async () => {
    const good = buildZip([{ name: "a.content", data: "{}" }, { name: "b", data: "hello", deflate: true }]);
    for (const bytes of [new Uint8Array(0), new TextEncoder().encode("not a zip at all"), good.subarray(0, good.length - 30)]) {
      const e = await rejection(() => openZipSource(bytes, "bad.zip"));
      expect([e.code, e.file]).toEqual(["bad_container", "bad.zip"]);
    }
    const declaredTooMany = buildZip([{ name: "a", data: "x" }], { declaredCount: 3 });
    expect((await rejection(() => openZipSource(declaredTooMany, "c.zip"))).code).toBe("bad_container");
  });

  test("corrupt deflate data → bad_container on read", async () => {
    const zip = buildZip([{ name: "b", data: "hello hello hello hello", deflate: true }]);
    const dataStart = 30 + 1;
    zip.fill(0xff, dataStart, dataStart + 4);
    const e = await rejection(() => openZipSource(zip, "d.zip").read("b"));
    expect([e.code, e.file]).toEqual(["bad_container", "b"]);
  });

  test("a central directory pointing outside the file → bad_container", async () => {
    const zip = buildZip([{ name: "a", data: "x" }]);
    new DataView(zip.buffer).setUint32(zip.length - 6, 0x7fffffff, true);
    expect((await rejection(() => openZipSource(zip, "o.zip"))).code).toBe("bad_container");
  });
});
