// Network namespace pairs for real-socket tests (docs/testing.md, the network rule): two namespaces that the test
// creates, joined by one veth pair, with 10.x addresses and no route anywhere else. The veth is
// created inside the first namespace and one end is moved to the second, so the machine's own
// namespace never holds any of it; deleting both namespaces removes everything.
// Needs root and iproute2 (`ip`). Tests call requireNetns() and FAIL (never skip) without them.
import { execFile, execFileSync } from "node:child_process";

/** The /24 used inside every pair (isolated per pair, so parallel pairs do not clash). */
const SUBNET = "10.213.0";
const PREFIX_LEN = 24;
const IP_TIMEOUT_MS = 5_000;
const FIX_HINT =
  "run the tests as root (CAP_SYS_ADMIN and CAP_NET_ADMIN); apt-get install iproute2";

export interface NamespaceEnd {
  /** The namespace name (for `ip netns exec <ns> …`). */
  readonly ns: string;
  /** The address of this end's veth interface. */
  readonly ip: string;
}

export interface NamespacePair {
  readonly a: NamespaceEnd;
  readonly b: NamespaceEnd;
  /** Deletes both namespaces (and with them the veth pair). Safe to call more than once. */
  destroy(): Promise<void>;
}

/** Runs `ip` with these arguments (no shell); rejects with its stderr on failure. */
export function ip(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("ip", args, { timeout: IP_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout);
      else {
        const detail = stderr.trim() || err.message;
        reject(new Error(`ip ${args.join(" ")} failed: ${detail}`));
      }
    });
  });
}

/** `ip netns del`, ignoring errors (the namespace may not exist). */
async function deleteNamespace(ns: string): Promise<void> {
  await ip(["netns", "del", ns]).catch(() => undefined);
}

/** Namespaces created by this process and not yet destroyed (removed on exit, best effort). */
const liveNamespaces = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const ns of liveNamespaces) {
      try {
        execFileSync("ip", ["netns", "del", ns], { stdio: "ignore", timeout: IP_TIMEOUT_MS });
      } catch {
        /* best effort */
      }
    }
  });
}

let probeResult: Promise<void> | undefined;

/**
 * Throws a clear Error when namespace tests cannot run here: not root, `ip` missing, or
 * `ip netns add` not permitted (e.g. a container without CAP_SYS_ADMIN).
 */
export function requireNetns(): Promise<void> {
  probeResult ??= probeNetns();
  return probeResult;
}

async function probeNetns(): Promise<void> {
  const fail = (why: string): never => {
    throw new Error(`network namespace tests cannot run: ${why} — ${FIX_HINT}`);
  };
  if (process.platform !== "linux") fail(`network namespaces need Linux (${process.platform})`);
  const uid = process.getuid?.();
  if (uid !== 0) fail(`not running as root (uid ${String(uid)})`);
  try {
    await ip(["-V"]);
  } catch (err) {
    fail(`the \`ip\` command (iproute2) is not usable: ${(err as Error).message}`);
  }
  const probe = `jice-probe-${process.pid}`;
  await deleteNamespace(probe);
  try {
    await ip(["netns", "add", probe]);
    await ip(["-n", probe, "link", "set", "lo", "up"]);
  } catch (err) {
    fail(`creating a network namespace is not permitted: ${(err as Error).message}`);
  } finally {
    await deleteNamespace(probe);
  }
}

let pairCount = 0;

/**
 * Creates namespaces `<prefix>-a-<pid>` and `<prefix>-b-<pid>` (plus `-<n>` from the second pair
 * on), joined by a veth pair with 10.213.0.1/24 (a) and 10.213.0.2/24 (b), `lo` up in both and
 * no other routes. On any failure whatever was created is removed before the error is thrown.
 */
export async function createNamespacePair(prefix: string): Promise<NamespacePair> {
  const n = pairCount++;
  const suffix = n === 0 ? `${process.pid}` : `${process.pid}-${n}`;
  const a: NamespaceEnd = { ns: `${prefix}-a-${suffix}`, ip: `${SUBNET}.1` };
  const b: NamespaceEnd = { ns: `${prefix}-b-${suffix}`, ip: `${SUBNET}.2` };
  // Interface names live inside the namespaces, so fixed names cannot clash between pairs.
  const vethA = "veth-a";
  const vethB = "veth-b";

  let destroyed: Promise<void> | undefined;
  const destroy = (): Promise<void> => {
    destroyed ??= (async () => {
      await Promise.all([deleteNamespace(a.ns), deleteNamespace(b.ns)]);
      liveNamespaces.delete(a.ns);
      liveNamespaces.delete(b.ns);
    })();
    return destroyed;
  };

  installExitHook();
  // Leftovers of an earlier process with the same pid.
  await Promise.all([deleteNamespace(a.ns), deleteNamespace(b.ns)]);
  try {
    liveNamespaces.add(a.ns);
    await ip(["netns", "add", a.ns]);
    liveNamespaces.add(b.ns);
    await ip(["netns", "add", b.ns]);
    await ip(["-n", a.ns, "link", "add", vethA, "type", "veth", "peer", "name", vethB]);
    await ip(["-n", a.ns, "link", "set", vethB, "netns", b.ns]);
    for (const [end, dev] of [
      [a, vethA],
      [b, vethB],
    ] as const) {
      await ip(["-n", end.ns, "addr", "add", `${end.ip}/${PREFIX_LEN}`, "dev", dev]);
      await ip(["-n", end.ns, "link", "set", "lo", "up"]);
      await ip(["-n", end.ns, "link", "set", dev, "up"]);
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return { a, b, destroy };
}
