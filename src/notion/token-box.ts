// Notion tokens at rest: AES-256-GCM (WebCrypto) with a key derived by HKDF-SHA-256 from
// RMIRROR_NOTION_KEY (or, when unset, the server secret stored in settings). Stored form:
// "v1." + base64url(12-byte IV ‖ ciphertext+tag). The user id and the token's kind (access or
// OAuth refresh token) are bound as additional data, so a ciphertext copied to another user's
// row, or from one column to the other, does not decrypt.

const INFO = new TextEncoder().encode("rmirror notion token v1");
const keys = new Map<string, Promise<CryptoKey>>();

function key(material: string): Promise<CryptoKey> {
  let k = keys.get(material);
  if (!k) {
    k = (async () => {
      const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(material), "HKDF", false, ["deriveKey"]);
      return crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: INFO }, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    })();
    keys.set(material, k);
  }
  return k;
}

/** Which token a ciphertext holds: the access token, or the OAuth refresh token. */
export type TokenKind = "access" | "refresh" | "todoist";

function aad(userId: number, kind: TokenKind): Uint8Array<ArrayBuffer> {
  const label = kind === "access" ? "notion-token" : kind === "refresh" ? "notion-refresh-token" : "todoist-token";
  return new TextEncoder().encode(`${label}:user:${userId}`);
}

export async function sealToken(material: string, userId: number, token: string, kind: TokenKind = "access"): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad(userId, kind) }, await key(material), new TextEncoder().encode(token)));
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return `v1.${Buffer.from(out).toString("base64url")}`;
}

export async function openToken(material: string, userId: number, sealed: string, kind: TokenKind = "access"): Promise<string> {
  if (!sealed.startsWith("v1.")) throw new Error("notion: stored token has an unknown format");
  const raw = new Uint8Array(Buffer.from(sealed.slice(3), "base64url"));
  try {
    const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: raw.slice(0, 12), additionalData: aad(userId, kind) }, await key(material), raw.slice(12));
    return new TextDecoder().decode(pt);
  } catch {
    const what = kind === "todoist" ? "Todoist" : "Notion";
    throw new Error(`${what.toLowerCase()}: the stored token cannot be decrypted (was RMIRROR_NOTION_KEY changed?); connect ${what} again`);
  }
}
