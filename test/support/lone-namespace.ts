// One network namespace for programs that gather on every interface (libwebrtc): inside it,
// `lo` and one veth pair (both ends inside, 10.213.9.1/24 on veth0), no route out. Whatever
// runs there — both peers of a test — sees only these addresses; deleting the namespace
// removes everything. Needs root and iproute2; callers run requireNetns() first.
import { execFile, execFileSync } from "node:child_process";
import { ip, requireNetns } from "./netns.js";

/** The address on veth0 inside the namespace. */
export const LONE_ADDRESS = "10.213.9.1";

export interface LoneNamespace {
  readonly ns: string;
  /** Runs `argv` inside the namespace; resolves with its stdout (rejects on failure). */
  exec(argv: readonly string[], timeoutMs: number): Promise<string>;
  destroy(): Promise<void>;
}

const live = new Set<string>();
let hooked = false;

export async function createLoneNamespace(prefix: string): Promise<LoneNamespace> {
  const ns = `${prefix}-${process.pid}-${live.size}`;
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      for (const name of live) {
        try {
          execFileSync("ip", ["netns", "del", name], { stdio: "ignore", timeout: 5000 });
        } catch {
          /* best effort */
        }
      }
    });
  }
  await ip(["netns", "del", ns]).catch(() => undefined);
  live.add(ns);
  const destroy = async (): Promise<void> => {
    await ip(["netns", "del", ns]).catch(() => undefined);
    live.delete(ns);
  };
  try {
    await ip(["netns", "add", ns]);
    await ip(["-n", ns, "link", "set", "lo", "up"]);
    await ip(["-n", ns, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1"]);
    await ip(["-n", ns, "addr", "add", `${LONE_ADDRESS}/24`, "dev", "veth0"]);
    await ip(["-n", ns, "link", "set", "veth0", "up"]);
    await ip(["-n", ns, "link", "set", "veth1", "up"]);
  } catch (err) {
    await destroy();
    throw err;
  }
  return {
    ns,
    destroy,
    exec: (argv, timeoutMs) =>
      new Promise((resolve, reject) =>
        execFile(
          "ip",
          ["netns", "exec", ns, ...argv],
          { timeout: timeoutMs },
          (err, stdout, stderr) =>
            err === null
              ? resolve(stdout)
              : reject(new Error(`${argv.join(" ")} in ${ns}: ${stderr || err.message}`)),
        ),
      ),
  };
}

/** Throws a clear error, saying how to install it, when `iptables` cannot run here. */
export function requireIptables(): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile("iptables", ["--version"], { timeout: 10_000 }, (err) =>
      err === null
        ? resolve()
        : reject(
            new Error(
              `loss tests cannot run: \`iptables\` is not usable (${err.message}) — apt-get install -y iptables`,
            ),
          ),
    ),
  );
}

/**
 * A lone namespace whose firewall drops each incoming UDP datagram with probability `percent` %
 * (iptables' `statistic` match). Checks root, iproute2 and iptables first (clear errors).
 */
export async function createLossyNamespace(
  prefix: string,
  percent: number,
): Promise<LoneNamespace> {
  await requireNetns();
  await requireIptables();
  const ns = await createLoneNamespace(prefix);
  const rule = ["-p", "udp", "-m", "statistic", "--mode", "random"];
  const probability = ["--probability", String(percent / 100), "-j", "DROP"];
  await ns.exec(["iptables", "-A", "INPUT", ...rule, ...probability], 10_000);
  return ns;
}
