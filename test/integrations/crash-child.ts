// Child of changes.test.ts: renames one document in a stream of transactions, rolling back every
// third, until it is killed. Prints "ready" once 60 renames were attempted.
import { openDatabase } from "../../src/storage/db.ts";
import { createStore } from "../../src/storage/store.ts";

const [dbPath, uid, docId] = process.argv.slice(2);
const s = createStore(openDatabase(dbPath!));
const doc = s.db.query<any, [number]>("SELECT * FROM documents WHERE id = ?").get(Number(docId))!;
for (let i = 1; ; i++) {
  try {
    s.tx(() => {
      s.updateDocument(Number(uid), doc.id, { ...doc, name: `n${i}` });
      if (i % 3 === 0) throw new Error("rolled back");
    });
  } catch {
    /* rolled back */
  }
  if (i === 60) console.log("ready");
  if (i % 200 === 0) await Bun.sleep(0);
}
