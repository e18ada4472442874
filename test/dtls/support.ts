// Helpers for the DTLS tests: certificates made once per process, and two endpoints wired in
// memory with a switchboard that can drop, hold, rewrite or inject datagrams.
import type { KeyObject } from "node:crypto";
import { generateKeyPairSync } from "node:crypto";
import { seededRng } from "../../src/common/rng.js";
import type { DtlsCertificate } from "../../src/dtls/certificate.js";
import { DtlsEndpoint, type DtlsEndpointOptions, type DtlsEvent } from "../../src/dtls/endpoint.js";
import { generateCertificate } from "../../src/node/dtls-certificate.js";
import type { ClientHello } from "../../src/dtls/hello.js";

/** `n` bytes counting up from `start`. */
export const bytes = (n: number, start = 0): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

/** A ClientHello with every extension we interpret. */
export const sampleClientHello: ClientHello = {
  version: 0xfefd,
  random: bytes(32),
  sessionId: new Uint8Array(0),
  cookie: bytes(20, 100),
  cipherSuites: [0xc02b, 0xc02f, 0x00ff],
  compressionMethods: [0],
  extensions: {
    renegotiationInfo: new Uint8Array(0),
    extendedMasterSecret: true,
    supportedGroups: [29, 23],
    ecPointFormats: [0],
    signatureAlgorithms: [0x0403, 0x0804],
    useSrtp: { profiles: [1, 7], mki: new Uint8Array(0) },
  },
};

const cache = new Map<string, DtlsCertificate>();

/** A certificate shared by the tests of this process: `ec-a`, `ec-b`, `rsa-a`… */
export function cert(name: string): DtlsCertificate {
  let c = cache.get(name);
  if (c === undefined) {
    c = generateCertificate({ keyType: name.startsWith("rsa") ? "rsa" : "ec", commonName: name });
    cache.set(name, c);
  }
  return c;
}

/** `real`'s certificate and fingerprint with another private key: signatures will not verify. */
export function impostor(real: DtlsCertificate): DtlsCertificate {
  const type = real.privateKey.asymmetricKeyType;
  const other: KeyObject =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey
      : generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  return { der: real.der, fingerprint: real.fingerprint, privateKey: other };
}

export type Side = "client" | "server";

/** What the switchboard does with a datagram in flight: deliver, drop, or deliver other bytes. */
export type Filter = (from: Side, datagram: Uint8Array, index: number) => Uint8Array | null;

export type PairOptions = {
  readonly client?: Partial<DtlsEndpointOptions>;
  readonly server?: Partial<DtlsEndpointOptions>;
  /** Give each side the other's fingerprint at creation. @default true */
  readonly fingerprints?: boolean;
  readonly seed?: number;
};

/** Two endpoints and the events each emitted. */
export class Pair {
  readonly client: DtlsEndpoint;
  readonly server: DtlsEndpoint;
  readonly events: Record<Side, DtlsEvent[]> = { client: [], server: [] };
  /** Datagrams each side sent, in order. */
  readonly sent: Record<Side, Uint8Array[]> = { client: [], server: [] };
  now = 0;
  filter: Filter | undefined;

  constructor(options: PairOptions = {}) {
    const withFingerprints = options.fingerprints ?? true;
    const clientCert = options.client?.certificate ?? cert("ec-a");
    const serverCert = options.server?.certificate ?? cert("ec-b");
    const seed = options.seed ?? 1;
    this.client = new DtlsEndpoint({
      role: "client",
      certificate: clientCert,
      rng: seededRng(seed),
      ...(withFingerprints ? { remoteFingerprint: serverCert.fingerprint } : {}),
      ...options.client,
    });
    this.server = new DtlsEndpoint({
      role: "server",
      certificate: serverCert,
      rng: seededRng(seed + 1000),
      ...(withFingerprints ? { remoteFingerprint: clientCert.fingerprint } : {}),
      ...options.server,
    });
  }

  endpoint(side: Side): DtlsEndpoint {
    return side === "client" ? this.client : this.server;
  }

  start(): this {
    this.server.start(this.now);
    this.client.start(this.now);
    return this;
  }

  /** Delivers queued datagrams both ways (through the filter) until nothing moves. */
  pump(maxRounds = 50): this {
    for (let round = 0; round < maxRounds; round++) {
      let moved = false;
      for (const from of ["client", "server"] as const) {
        const source = this.endpoint(from);
        const target = this.endpoint(from === "client" ? "server" : "client");
        for (let d; (d = source.pollTransmit());) {
          moved = true;
          const index = this.sent[from].push(d) - 1;
          const out = this.filter === undefined ? d : this.filter(from, d, index);
          if (out !== null) target.handleDatagram(this.now, out);
        }
      }
      this.collect();
      if (!moved) break;
    }
    return this;
  }

  /** Moves the virtual clock to the earliest deadline of either side and fires it. */
  tick(): boolean {
    const deadlines = [this.client.pollTimeout(), this.server.pollTimeout()].filter(
      (d): d is number => d !== undefined,
    );
    if (deadlines.length === 0) return false;
    this.now = Math.max(this.now, Math.min(...deadlines));
    this.client.handleTimeout(this.now);
    this.server.handleTimeout(this.now);
    return true;
  }

  collect(): void {
    for (const side of ["client", "server"] as const) {
      for (let e; (e = this.endpoint(side).pollEvent());) this.events[side].push(e);
    }
  }

  /** The events of `side` of one type. */
  of<T extends DtlsEvent["type"]>(side: Side, type: T): Extract<DtlsEvent, { type: T }>[] {
    return this.events[side].filter((e): e is Extract<DtlsEvent, { type: T }> => e.type === type);
  }

  /** The error `side` reported (exactly one expected). */
  error(side: Side): Extract<DtlsEvent, { type: "error" }>["error"] {
    const errors = this.of(side, "error");
    if (errors.length !== 1)
      throw new Error(
        `${side} reported ${errors.length} errors: ${JSON.stringify(this.events[side])}`,
      );
    return errors[0]!.error;
  }
}

/** A connected pair (both sides saw `connected`). */
export function connectedPair(options: PairOptions = {}): Pair {
  const pair = new Pair(options).start().pump();
  if (pair.client.state !== "connected" || pair.server.state !== "connected")
    throw new Error(`pair did not connect: ${pair.client.state} / ${pair.server.state}`);
  return pair;
}
