// The driver's UDP socket helpers (src/node/sockets.ts), on 127.0.0.1 only.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { SocketBindError } from "../../src/node/errors.js";
import { once } from "node:events";
import {
  bindUdp,
  literalLookup,
  RemoteNames,
  SOCKET_BUFFER_BYTES,
  SocketTable,
} from "../../src/node/sockets.js";

describe("driver sockets", () => {
  it("binds the next free port of a range and says which address and range failed when none is", async () => {
    const first = await bindUdp("IPv4", "127.0.0.1", undefined);
    const taken = first.address().port;
    const next = await bindUdp("IPv4", "127.0.0.1", { min: taken, max: taken + 50 });
    const port = next.address().port;
    assert.ok(port > taken && port <= taken + 50, `${port} is after the taken ${taken}`);
    await assert.rejects(bindUdp("IPv4", "127.0.0.1", { min: taken, max: taken }), (error) => {
      assert.ok(error instanceof SocketBindError);
      assert.equal(error.message, `could not bind UDP on 127.0.0.1 (ports ${taken}-${taken})`);
      assert.ok(error.cause instanceof Error);
      return true;
    });
    const table = new SocketTable();
    table.add({ family: "IPv4", address: "127.0.0.1", port: taken }, first);
    table.add({ family: "IPv4", address: "127.0.0.1", port }, next);
    assert.equal(table.at({ family: "IPv4", address: "127.0.0.1", port }), next);
    assert.equal(table.at({ family: "IPv4", address: "127.0.0.2", port: taken }), undefined);
    await table.closeAll();
    assert.equal(table.at({ family: "IPv4", address: "127.0.0.1", port: taken }), undefined);
  });

  // Regression: with the system default (212 992 bytes) usrsctp's bursts through libdatachannel
  // overflowed our socket (some 30 datagrams dropped per test/interop/sctp-usrsctp.test.ts run,
  // and with them messages on a maxRetransmits=0 channel).
  it("asks for a 1 MiB receive and send buffer, as far as the kernel allows", async () => {
    const socket = await bindUdp("IPv4", "127.0.0.1", undefined);
    try {
      const limit = (name: string) =>
        Math.min(SOCKET_BUFFER_BYTES, Number(readFileSync(`/proc/sys/net/core/${name}`, "utf8")));
      // Linux reports twice what was granted (bookkeeping overhead, socket(7) SO_RCVBUF).
      assert.ok(socket.getRecvBufferSize() >= limit("rmem_max"), `${socket.getRecvBufferSize()}`);
      assert.ok(socket.getSendBufferSize() >= limit("wmem_max"), `${socket.getSendBufferSize()}`);
      assert.ok(socket.getRecvBufferSize() > 212_992 || limit("rmem_max") <= 106_496);
    } finally {
      socket.close();
    }
  });

  it("answers an IP literal's lookup at once and leaves names to the resolver", async () => {
    const answers: [string, number][] = [];
    for (const literal of ["127.0.0.1", "::1", "2001:db8::1"])
      literalLookup(literal, { family: 0 }, (error, address, family) => {
        assert.equal(error, null);
        answers.push([address, family]);
      });
    // Synchronously: node:dgram then sends within send() instead of on the next tick.
    assert.deepEqual(answers, [
      ["127.0.0.1", 4],
      ["::1", 6],
      ["2001:db8::1", 6],
    ]);
    let resolved = false;
    const name = new Promise<string>((resolve, reject) =>
      literalLookup("localhost", { family: 4 }, (error, address) => {
        resolved = true;
        if (error) reject(error);
        else resolve(address);
      }),
    );
    assert.equal(resolved, false, "a name goes to dns.lookup, which answers later");
    assert.equal(await name, "127.0.0.1");
  });

  it("sends datagrams to an IP literal through a bound socket", async () => {
    const a = await bindUdp("IPv4", "127.0.0.1", undefined);
    const b = await bindUdp("IPv4", "127.0.0.1", undefined);
    const got = once(b, "message");
    a.send(new Uint8Array([1, 2, 3]), b.address().port, "127.0.0.1");
    const [data] = (await got) as [Buffer];
    assert.deepEqual([...data], [1, 2, 3]);
    a.close();
    b.close();
  });

  it("turns a sender's address text into a canonical transport address, or nothing for a non-IP", () => {
    const names = new RemoteNames();
    assert.deepEqual(names.parse({ address: "127.0.0.1", port: 9 }), {
      family: "IPv4",
      address: "127.0.0.1",
      port: 9,
    });
    assert.deepEqual(names.parse({ address: "2001:DB8::1", port: 1 }), {
      family: "IPv6",
      address: "2001:db8::1",
      port: 1,
    });
    assert.equal(names.parse({ address: "example.org", port: 1 }), undefined);
  });
});
