// Opens a data channel on one Jingle session, waits for it on the other, and checks one text
// message one way and one binary message back (test/plugin and test/e2e data-channel tests).
import assert from "node:assert/strict";
import { once } from "node:events";
import type { DataChannel } from "../../src/node/data-channel.js";
import type { JingleSession } from "../../src/plugin/session.js";

export async function exchange(
  from: JingleSession,
  to: JingleSession,
  label: string,
): Promise<{ mine: DataChannel; theirs: DataChannel }> {
  const arrived = once(to, "datachannel") as Promise<[DataChannel]>;
  const mine = from.createDataChannel(label, { protocol: "xmpp-jingle" });
  await once(mine, "open");
  const [theirs] = await arrived;
  assert.equal(theirs.label, label);
  assert.equal(theirs.protocol, "xmpp-jingle");
  assert.equal(theirs.id, mine.id);
  const toThem = once(theirs, "message");
  mine.send("hello");
  assert.deepEqual(await toThem, ["hello"]);
  const back = once(mine, "message");
  theirs.send(new Uint8Array([1, 2, 3]));
  assert.deepEqual(await back, [new Uint8Array([1, 2, 3])]);
  return { mine, theirs };
}

/** Closes `mine` (an outgoing stream reset, RFC 8831 §6.7) and waits for both ends to close. */
export async function closeByReset(pair: {
  mine: DataChannel;
  theirs: DataChannel;
}): Promise<void> {
  const closed = Promise.all([once(pair.mine, "close"), once(pair.theirs, "close")]);
  pair.mine.close();
  await closed;
  assert.equal(pair.theirs.readyState, "closed");
}
