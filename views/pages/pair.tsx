// /pair — where `rmirror agent login` sends the user: approve or deny one pairing request, in the
// dashboard layout. The decision form is a plain form carrying the CSRF field.
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";

export type PairView =
  | { kind: "ask"; code: string; deviceName: string; email: string }
  | { kind: "status"; status: string }
  | { kind: "decided"; approved: boolean; deviceName: string }
  | { kind: "error"; message: string };

function Body(p: { v: PairView; csrf: string }) {
  const v = p.v;
  switch (v.kind) {
    case "ask":
      return (
        <>
          <p>
            {"The device "}
            <b safe>{v.deviceName}</b>
            {" asks to sync as "}
            <b safe>{v.email}</b>.
          </p>
          <p>
            {"Check that your terminal shows the code "}
            <code class="pair-code" safe>
              {v.code}
            </code>
            .
          </p>
          <form method="post" action="/pair" class="inline" id="pair-form">
            <input type="hidden" name="code" value={v.code} />
            <input type="hidden" name="csrf" value={p.csrf} />
            <button name="decision" value="approve" data-action="approve-pairing">
              Approve
            </button>
            <button name="decision" value="deny" data-action="deny-pairing">
              Deny
            </button>
          </form>
        </>
      );
    case "status":
      return (
        <p data-pairing-status={v.status}>
          {"This request is "}
          <b safe>{v.status}</b>.
        </p>
      );
    case "decided":
      return (
        <p data-pairing-status={v.approved ? "approved" : "denied"}>
          {v.approved ? "Approved: " : "Denied: "}
          <b safe>{v.deviceName}</b>.{v.approved ? " You can close this page; the device finishes pairing by itself." : ""}
        </p>
      );
    case "error":
      return (
        <p class="err" role="alert" safe>
          {v.message}
        </p>
      );
  }
}

export function PairPage(p: { header: HeaderInfo; view: PairView }): string {
  return render(
    <Layout title="Pair a device" header={p.header} active="devices">
      <h1>Pair a device</h1>
      <section id="pair" class="card">
        <Body v={p.view} csrf={p.header.csrf} />
      </section>
      <p>
        <a href="/devices">All devices</a>
      </p>
    </Layout>,
  );
}
