// Seeded mutation fuzzing helpers: deterministic, so a failing case can be replayed from its seed.

/** mulberry32: small, fast, seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

/** Returns a mutated copy of `input`; which mutation depends only on `seed`. */
export function mutate(input: Uint8Array, seed: number, headerLength = 43): Uint8Array {
  const r = rng(seed);
  const pick = (n: number) => Math.floor(r() * n);
  let out = input.slice();
  const rounds = 1 + pick(4);
  for (let k = 0; k < rounds; k++) {
    // mostly mutate after the header so the parsers get past version dispatch
    const pos = () => (out.length <= headerLength ? pick(Math.max(1, out.length)) : headerLength + pick(out.length - headerLength));
    switch (pick(8)) {
      case 0: // flip a bit
        if (out.length) { const p = pos(); out[p]! ^= 1 << pick(8); }
        break;
      case 1: // random byte
        if (out.length) out[pos()] = pick(256);
        break;
      case 2: // truncate
        out = out.slice(0, pick(out.length + 1));
        break;
      case 3: { // interesting u32 (lengths, counts)
        const p = pos();
        if (p + 4 <= out.length) new DataView(out.buffer, out.byteOffset).setUint32(p, INTERESTING_U32[pick(INTERESTING_U32.length)]!, true);
        break;
      }
      case 4: { // insert random bytes
        const p = pos();
        const ins = Uint8Array.from({ length: 1 + pick(16) }, () => pick(256));
        const n = new Uint8Array(out.length + ins.length);
        n.set(out.subarray(0, p)); n.set(ins, p); n.set(out.subarray(p), p + ins.length);
        out = n;
        break;
      }
      case 5: { // delete a range
        const p = pos(); const len = pick(64);
        out = Uint8Array.from([...out.subarray(0, p), ...out.subarray(p + len)]);
        break;
      }
      case 6: { // duplicate a chunk (repeated blocks / ids)
        const p = pos(); const len = 1 + pick(256);
        const chunk = out.slice(p, p + len);
        const n = new Uint8Array(out.length + chunk.length);
        n.set(out.subarray(0, p + chunk.length)); n.set(chunk, p + chunk.length); n.set(out.subarray(p + chunk.length), p + 2 * chunk.length);
        out = n;
        break;
      }
      default: { // varint-ish: set a high bit run
        const p = pos();
        for (let i = 0; i < 1 + pick(9) && p + i < out.length; i++) out[p + i]! |= 0x80;
      }
    }
  }
  return out;
}
