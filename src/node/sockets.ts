/**
 * The driver's UDP sockets: binding one (in a port range, if asked), finding the socket a
 * transmit leaves from, and turning a sender's address text into the agent's address form.
 */
import { createSocket, type Socket } from "node:dgram";
import { lookup as dnsLookup, type LookupOneOptions } from "node:dns";
import { isIP } from "node:net";
import { canonicalIp, ipFamily, type TransportAddress } from "../common/address.js";
import { SocketBindError } from "./errors.js";

/** Local ports to bind, inclusive. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The receive and send buffer each socket asks for. The system default (212 992 bytes on Linux,
 * some 90 full datagrams) overflows when a fast peer — usrsctp through libdatachannel, whose own
 * socket asks for 1 MiB — bursts while the event loop is busy, and what the kernel drops there
 * SCTP must retransmit (and a partially reliable channel loses). The kernel caps the request at
 * net.core.rmem_max / wmem_max.
 */
export const SOCKET_BUFFER_BYTES = 1024 * 1024;

/** Binds a UDP socket on `address`, on the first free port of `range` (any port without one). */
export async function bindUdp(
  family: "IPv4" | "IPv6",
  address: string,
  range: PortRange | undefined,
): Promise<Socket> {
  const ports =
    range === undefined
      ? [0]
      : Array.from({ length: range.max - range.min + 1 }, (_, i) => range.min + i);
  let lastError: unknown;
  for (const port of ports) {
    const socket = createSocket({
      type: family === "IPv6" ? "udp6" : "udp4",
      ipv6Only: family === "IPv6",
      lookup: literalLookup,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind({ address, port, exclusive: true }, () => {
          socket.off("error", reject);
          try {
            socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
            socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
          } catch {
            // Best effort: the system's default buffers still work.
          }
          resolve();
        });
      });
      return socket;
    } catch (error) {
      lastError = error;
      socket.close();
    }
  }
  throw new SocketBindError(address, range ? `ports ${range.min}-${range.max}` : "any port", {
    cause: lastError,
  });
}

/**
 * The socket's name lookup: an IP literal — every address the agent sends to — is answered at
 * once. node:dgram resolves the destination of every `send` through its lookup, and the default
 * one (dns.lookup) answers a literal only on the next tick: a deferred call and a closure per
 * datagram on the data path. Anything else still goes to dns.lookup.
 */
export function literalLookup(
  hostname: string,
  options: LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
}

/** Sockets by the very address objects handed to the agent (transmits carry them back). */
export class SocketTable {
  private readonly sockets = new Map<TransportAddress, Socket>();

  add(address: TransportAddress, socket: Socket): void {
    this.sockets.set(address, socket);
  }

  /** The socket bound at `local`: by identity first (the fast path), else by value. */
  at(local: TransportAddress): Socket | undefined {
    const socket = this.sockets.get(local);
    if (socket !== undefined) return socket;
    for (const [address, candidate] of this.sockets) {
      if (address.port === local.port && address.address === local.address) return candidate;
    }
    return undefined;
  }

  /** Closes every socket. */
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.sockets.values()].map(
        (socket) => new Promise<void>((resolve) => socket.close(() => resolve())),
      ),
    );
    this.sockets.clear();
  }
}

/**
 * Sender addresses as the agent takes them, parsed once per distinct text (the data path sees
 * the same few peers over and over); at most 1024 are remembered.
 */
export class RemoteNames {
  private readonly names = new Map<string, { family: "IPv4" | "IPv6"; address: string } | null>();

  /** The transport address of a datagram's sender, or undefined when its text is no IP. */
  parse(remote: { readonly address: string; readonly port: number }): TransportAddress | undefined {
    let name = this.names.get(remote.address);
    if (name === undefined) {
      const address = canonicalIp(remote.address);
      const family = address === undefined ? undefined : ipFamily(address);
      name = address === undefined || family === undefined ? null : { family, address };
      if (this.names.size >= 1024) this.names.clear();
      this.names.set(remote.address, name);
    }
    if (name === null) return undefined;
    return { family: name.family, address: name.address, port: remote.port };
  }
}
