// The DTLS implementations nobody here wrote, as test peers: OpenSSL (`openssl s_server` /
// `s_client -dtls1_2`) and GnuTLS (`gnutls-serv` / `gnutls-cli --udp`, Debian gnutls-bin: the
// stack under Dino), on 127.0.0.1 with throwaway certificates. Each program runs with its stdin
// piped (what we write there it sends as application data) and its output captured; tests
// call requireDtlsTools() and FAIL (never skip) when a program is missing.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { utf8Decode } from "../../src/common/bytes.js";
import type { DtlsCertificate } from "../../src/dtls/certificate.js";
import { fingerprintOf, type Fingerprint } from "../../src/dtls/fingerprint.js";
import { DtlsChannel, type DtlsChannelOptions } from "../../src/node/dtls-channel.js";
import { UdpTransport } from "./udp-transport.js";
import { LOOPBACK } from "./server-process.js";

const FIX_HINT = "run ./scripts/setup as root, or apt-get install -y openssl gnutls-bin";

function run(program: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: 20_000 }, (err, stdout, stderr) =>
      err === null ? resolve(stdout + stderr) : reject(new Error(stderr.trim() || err.message)),
    );
  });
}

let prerequisites: Promise<void> | undefined;

/** Throws a clear Error unless openssl, gnutls-cli, gnutls-serv and certtool all run. */
export function requireDtlsTools(): Promise<void> {
  prerequisites ??= (async () => {
    const missing: string[] = [];
    for (const [program, args] of [
      ["openssl", ["version"]],
      ["gnutls-cli", ["--version"]],
      ["gnutls-serv", ["--version"]],
      ["certtool", ["--version"]],
    ] as const) {
      try {
        await run(program, args);
      } catch (err) {
        missing.push(`\`${program}\` is not usable (${(err as Error).message})`);
      }
    }
    if (missing.length > 0)
      throw new Error(`DTLS interop tests cannot run: ${missing.join("; ")} — ${FIX_HINT}`);
  })();
  return prerequisites;
}

/** A certificate and key in PEM files, with the certificate's sha-256 fingerprint. */
export interface PemCredentials {
  readonly cert: string;
  readonly key: string;
  readonly fingerprint: Fingerprint;
}

/** Throwaway credentials for the peers, in a temp dir that `remove()` deletes. */
export interface PeerCredentials {
  /** ECDSA P-256, made by `openssl req`. */
  readonly ec: PemCredentials;
  /** RSA-2048, made by `openssl req`. */
  readonly rsa: PemCredentials;
  /** RSA-2048, made by GnuTLS's `certtool` (like Dino's). */
  readonly gnutls: PemCredentials;
  remove(): Promise<void>;
}

async function credentials(cert: string, key: string): Promise<PemCredentials> {
  const der = new X509Certificate(await readFile(cert)).raw;
  return { cert, key, fingerprint: fingerprintOf(new Uint8Array(der)) };
}

export async function makePeerCredentials(): Promise<PeerCredentials> {
  const dir = await mkdtemp(join(tmpdir(), "jingle-ice-dtls-"));
  const p = (name: string): string => join(dir, name);
  const subject = (cn: string): string[] => ["-subj", `/CN=${cn}`, "-days", "30", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-keyout",
    p("ec.key"),
    "-out",
    p("ec.crt"),
    ...subject("openssl-ec"),
  ]);
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-keyout",
    p("rsa.key"),
    "-out",
    p("rsa.crt"),
    ...subject("openssl-rsa"),
  ]);
  await run("certtool", ["--generate-privkey", "--rsa", "--bits", "2048", "--outfile", p("g.key")]);
  await writeFile(p("g.tmpl"), "cn = gnutls\nexpiration_days = 30\nsigning_key\nencryption_key\n");
  await run("certtool", [
    "--generate-self-signed",
    "--load-privkey",
    p("g.key"),
    "--template",
    p("g.tmpl"),
    "--outfile",
    p("g.crt"),
  ]);
  return {
    ec: await credentials(p("ec.crt"), p("ec.key")),
    rsa: await credentials(p("rsa.crt"), p("rsa.key")),
    gnutls: await credentials(p("g.crt"), p("g.key")),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A UDP port on 127.0.0.1 that was free a moment ago (for a server the program binds). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A running peer program: its output, its stdin, and a way to end it. */
export class ToolProcess {
  private output = "";
  private exitCode: number | null | undefined;
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(readonly argv: readonly string[]) {
    // setpriv (util-linux): the kernel kills the program if the test process dies.
    this.child = spawn("setpriv", ["--pdeathsig", "KILL", "--", ...argv], { stdio: "pipe" });
    this.child.stdout.on("data", (c: Buffer) => (this.output += c.toString("latin1")));
    this.child.stderr.on("data", (c: Buffer) => (this.output += c.toString("latin1")));
    this.child.stdin.on("error", () => undefined); // the program may exit before we write
    this.exited = new Promise((resolve) => {
      this.child.on("error", (e) => {
        this.output += `\n[spawn error: ${e.message}]`;
        resolve(null);
      });
      this.child.on("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      });
    });
  }

  /** Everything the program printed so far. */
  log(): string {
    return this.output;
  }

  /** Types `line` into the program (OpenSSL and GnuTLS send it as application data). */
  write(line: string): void {
    this.child.stdin.write(line);
  }

  /** Resolves with the first match of `pattern` in the output; rejects after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match !== null) return match;
      if (this.exitCode !== undefined)
        throw new Error(
          `${this.argv[0]} exited (${this.exitCode}) before ${String(pattern)}\n--- output ---\n${this.output}`,
        );
      if (Date.now() > deadline)
        throw new Error(
          `${this.argv[0]}: no ${String(pattern)} within ${timeoutMs} ms\n--- output ---\n${this.output}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGTERM (SIGKILL after 2 s) and wait for the exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 2000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/** The RFC 5705 keying material OpenSSL (`Keying material: HEX`) or GnuTLS (`Key material: hex`) printed. */
export function printedKeyingMaterial(log: string): string | undefined {
  return /Key(?:ing)? material: ([0-9A-Fa-f]+)/.exec(log)?.[1]?.toLowerCase();
}

/**
 * What one interop test file holds: the peers' credentials (made on first use, after the
 * programs were found), the programs it started and our channels' UDP transports; `cleanup()`
 * ends them all.
 */
export class DtlsInterop {
  private setup: Promise<PeerCredentials> | undefined;
  private readonly processes: ToolProcess[] = [];
  private readonly transports: UdpTransport[] = [];

  constructor(private readonly certificate: DtlsCertificate) {}

  /** The peers' certificates; fails clearly when a program is missing. */
  credentials(): Promise<PeerCredentials> {
    this.setup ??= requireDtlsTools().then(makePeerCredentials);
    return this.setup;
  }

  /** Starts a peer program (stopped by cleanup). */
  start(argv: readonly string[]): ToolProcess {
    const p = new ToolProcess(argv);
    this.processes.push(p);
    return p;
  }

  /** Our DtlsChannel on a fresh UDP socket, towards `port` (or waiting to be contacted). */
  async channel(
    port: number | undefined,
    options: Omit<DtlsChannelOptions, "certificate">,
  ): Promise<{ transport: UdpTransport; channel: DtlsChannel }> {
    const transport = await UdpTransport.open(port);
    this.transports.push(transport);
    const channel = DtlsChannel.create(transport, { certificate: this.certificate, ...options });
    return { transport, channel };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    await Promise.all(this.transports.map((t) => t.close()));
    await this.setup?.then((c) => c.remove()).catch(() => undefined);
  }
}

/** The channel's next `message`, as text. */
export async function nextMessage(channel: DtlsChannel): Promise<string> {
  const [data] = (await once(channel, "message")) as [Uint8Array];
  return utf8Decode(data);
}
