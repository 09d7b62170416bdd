// What the fake OCR APIs (fake-anthropic.ts, fake-openai.ts, fake-gemini.ts) have in common: the
// loopback server (test/support/loopback.ts), the requests seen and refused, the script of answers, the `hold` barrier and a
// scripted hang, the PNG check, and how a thinking model spends its token budget. Each fake keeps
// its own service's documented request validation, answer shape and errors.

export interface FakeOcrApi<Seen, Scripted> {
  /** The base URL to configure. */
  url: string;
  apiKey: string;
  /** The valid requests, oldest first. */
  requests: Seen[];
  /** Requests refused by validation, with the reason the fake gave. */
  rejected: { status: number; reason: string }[];
  /** Scripted answers, one taken per valid request (the default reply when empty). */
  script: Scripted[];
  /** Markdown to answer for the n-th successful request. */
  reply: (req: Seen, n: number) => string;
  /** When set, each request awaits this before answering (a barrier, not a sleep). */
  hold: (() => Promise<void>) | null;
  close(): Promise<void>;
}

/** A fake's starting state: nothing seen or scripted, the default reply, no hold (not serving until serveFake). */
export function fakeOcrApi<Seen, Scripted>(apiKey: string): FakeOcrApi<Seen, Scripted> {
  return {
    url: "",
    apiKey,
    requests: [],
    rejected: [],
    script: [],
    reply: (_r, n) => `# Page ${n}\n\n- [ ] call the plumber\n- [x] buy milk\n\nMeeting with Müller → Friday 12.03.`,
    hold: null,
    close: async () => {},
  };
}

/** Forgets what a test saw and scripted: requests, refusals, script and hold. */
export function resetFake(fake: Pick<FakeOcrApi<unknown, unknown>, "requests" | "rejected" | "script" | "hold">): void {
  fake.requests.length = 0;
  fake.rejected.length = 0;
  fake.script.length = 0;
  fake.hold = null;
}

/** The request body as JSON, or undefined when it is not JSON. */
export async function jsonBody(req: Request): Promise<any> {
  try {
    return await req.json();
  } catch {
    return undefined;
  }
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIG.every((v, i) => bytes[i] === v);
}

/**
 * Records a valid request, waits for `hold`, and takes the next scripted answer. A scripted hang
 * returns only once the client gave up (answer it with hungUp()).
 */
export async function nextScripted<Seen, Scripted extends { hang?: boolean }>(fake: FakeOcrApi<Seen, Scripted>, req: Request, seen: Seen): Promise<Scripted | undefined> {
  fake.requests.push(seen);
  if (fake.hold) await fake.hold();
  const s = fake.script.shift();
  if (s?.hang) await new Promise<void>((r) => req.signal.addEventListener("abort", () => r()));
  return s;
}

/** The answer to a request whose client has gone. */
export function hungUp(): Response {
  return new Response(null, { status: 499 });
}

/**
 * How a thinking model spends its output budget on a reply: the thinking first; when it leaves no
 * room, there is no text; when the reply does not fit the rest, the text is cut off (about four
 * characters a token). `tokens` is what the text cost.
 */
export function spendBudget(budget: number, thinking: number, reply: string): { text: string | null; cutOff: boolean; tokens: number } {
  const want = Math.ceil(reply.length / 4);
  const room = Math.max(0, budget - thinking);
  if (thinking >= budget) return { text: null, cutOff: true, tokens: 0 };
  if (want > room) return { text: reply.slice(0, room * 4), cutOff: true, tokens: room };
  return { text: reply, cutOff: false, tokens: want };
}
