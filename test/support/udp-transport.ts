// A DtlsChannelTransport (src/node/dtls-channel.ts) over one UDP socket on 127.0.0.1: it talks to
// a fixed remote, or — as a server — to whoever sent it the first datagram. For running a
// DtlsChannel against programs that speak DTLS over plain UDP (openssl, gnutls).
import { createSocket, type Socket } from "node:dgram";
import { EventEmitter } from "node:events";
import { LOOPBACK } from "./server-process.js";

export class UdpTransport extends EventEmitter<{ message: [Uint8Array]; close: [] }> {
  private remote: { port: number } | undefined;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    remotePort: number | undefined,
  ) {
    super();
    if (remotePort !== undefined) this.remote = { port: remotePort };
    socket.on("message", (data, from) => {
      if (from.address !== LOOPBACK) return;
      this.remote ??= { port: from.port };
      if (from.port === this.remote.port) this.emit("message", new Uint8Array(data));
    });
  }

  /** A socket on 127.0.0.1 (any port) talking to `remotePort`, or waiting to be talked to. */
  static async open(remotePort?: number): Promise<UdpTransport> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, LOOPBACK, () => resolve());
    });
    return new UdpTransport(socket, remotePort);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Uint8Array): boolean {
    if (this.closed || this.remote === undefined) return false;
    this.socket.send(data, this.remote.port, LOOPBACK);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let the last datagrams (a close_notify) leave before the socket closes.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    this.emit("close");
  }
}
