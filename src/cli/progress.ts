/** What `call` and `answer` report (JSON lines on stdout, or text on stderr), and the pings of `call`. */
import type { JingleSession, SessionChannel } from "../plugin/session.js";
import { candidateToJson } from "./candidate-json.js";

/** Reports one progress event. */
export type Report = (ev: string, fields?: Record<string, unknown>) => void;

/** A {@link Report} whose `t` counts ms from `started`. */
export function reporter(json: boolean, started: number): Report {
  return (ev, fields = {}) => {
    const t = Math.round((performance.now() - started) * 1000) / 1000;
    if (json) process.stdout.write(`${JSON.stringify({ ev, t, ...fields })}\n`);
    else
      process.stderr.write(
        `[${t.toFixed(1)} ms] ${ev}${Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ""}\n`,
      );
  };
}

/** The selected candidate pair. */
export function reportPair(channel: SessionChannel, report: Report): void {
  const pair = channel.selectedPair;
  if (pair !== undefined) {
    report("selected-pair", {
      component: 1,
      local: candidateToJson(pair.local),
      remote: candidateToJson(pair.remote),
    });
  }
}

/** What DTLS negotiated: our role, the cipher suite and both fingerprints (XEP-0320). */
export function reportDtls(session: JingleSession, report: Report): void {
  const dtls = session.dtls;
  if (dtls === undefined) {
    report("dtls", { enabled: false });
    return;
  }
  report("dtls", {
    enabled: true,
    role: dtls.role,
    cipher_suite: dtls.cipherSuite,
    local_fingerprint: `${dtls.localFingerprint.algorithm} ${dtls.localFingerprint.value}`,
    remote_fingerprint: `${dtls.remoteFingerprint.algorithm} ${dtls.remoteFingerprint.value}`,
  });
}

/** Sends `count` pings, `intervalMs` apart, until `stopped()`; the RTTs of the answered ones. */
export async function ping(
  channel: SessionChannel,
  count: number,
  intervalMs: number,
  stopped: () => boolean,
): Promise<number[]> {
  const rtts: number[] = [];
  const encoder = new TextEncoder();
  for (let seq = 0; seq < count && !stopped(); seq++) {
    if (seq > 0 && intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if (stopped()) break;
    const sentAt = performance.now();
    const answered = new Promise<boolean>((resolve) => {
      const onMessage = (data: Uint8Array): void => {
        if (
          new TextDecoder().decode(data) === `pong ${seq}` ||
          new TextDecoder().decode(data) === `echo:ping ${seq}`
        ) {
          channel.off("message", onMessage);
          resolve(true);
        }
      };
      channel.on("message", onMessage);
      setTimeout(() => {
        channel.off("message", onMessage);
        resolve(false);
      }, 2000).unref();
    });
    channel.send(encoder.encode(`ping ${seq}`));
    if (await answered) rtts.push(Math.round((performance.now() - sentAt) * 1000) / 1000);
  }
  return rtts;
}
