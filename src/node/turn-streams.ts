/**
 * The TCP and TLS connections to TURN servers that the agent asks for (`stream-open`
 * transmits; RFC 8656 §3.1, RFC 7065): opened from the socket's IP, verified for the server's
 * host name over TLS, written and ended on the agent's word, and reported back when data
 * arrives or the connection ends.
 */
import { connect as connectTcp, type Socket as TcpSocket } from "node:net";
import { connect as connectTls } from "node:tls";
import { ipFamily, type TransportAddress } from "../common/address.js";
import type { ResolvedTurnServer } from "../turn/server.js";

/** What the streams report to their driver. */
export interface StreamSink {
  data(stream: number, chunk: Uint8Array): void;
  /** The connection ended or failed (`cause`: the socket's error, if any). */
  closed(stream: number, cause: Error | undefined): void;
}

/** The open streams, by the agent's stream id. */
export class TurnStreams {
  private readonly streams = new Map<number, TcpSocket>();

  constructor(private readonly sink: StreamSink) {}

  /** Opens stream `id` to `server` from the address of `local`. */
  open(id: number, local: TransportAddress, server: ResolvedTurnServer): void {
    const options = {
      host: server.address.address,
      port: server.address.port,
      localAddress: local.address,
    };
    // SNI carries host names only (RFC 6066 §3); an IP literal is checked against the
    // certificate's IP SANs by Node without it.
    const servername = ipFamily(server.host) === undefined ? server.host : undefined;
    const socket =
      server.transport === "tls"
        ? connectTls({
            ...options,
            ...(servername === undefined ? {} : { servername }),
            ...(server.ca === undefined ? {} : { ca: [...server.ca] }),
          })
        : connectTcp(options);
    socket.setNoDelay(true);
    this.streams.set(id, socket);
    socket.on("data", (chunk: Buffer) => this.sink.data(id, chunk));
    let cause: Error | undefined;
    socket.on("error", (error) => {
      cause = error;
    });
    socket.on("close", () => {
      this.streams.delete(id);
      this.sink.closed(id, cause);
    });
  }

  write(id: number, data: Uint8Array): void {
    this.streams.get(id)?.write(data);
  }

  end(id: number): void {
    this.streams.get(id)?.end();
  }

  /** Ends every stream (the connection is closing). */
  endAll(): void {
    for (const stream of this.streams.values()) stream.end();
  }
}
