// The oracle of the Jingle fuzzer (test/fuzz/jingle.fuzz.ts, test/fuzz/jingle-slice.test.ts):
// parseJingle either returns a model or throws JingleParseError; the plugin, fed the same
// stanzas from strangers over the in-memory XMPP stand-in, answers every IQ exactly once with a
// result or a well-formed error stanza, never throws or leaves a rejection unhandled, never holds
// more sessions than its limits, and a legitimate session running alongside stays intact.
import { xml } from "@xmpp/xml";
import { JingleParseError, NS_XMPP_STANZAS } from "../../src/jingle/errors.js";
import { NS_JINGLE, NS_JINGLE_ERRORS } from "../../src/jingle/model.js";
import { parseJingle } from "../../src/jingle/parse.js";
import type { XmlElement } from "../../src/jingle/xml.js";
import { jingleIceUdp, type JingleIce, type JingleSession } from "../../src/plugin/index.js";
import type { SessionChannel } from "../../src/plugin/session.js";
import { toXmpp } from "../../src/plugin/xmpp.js";
import { FakeNetwork, FakeStanzaError } from "../plugin/fake-xmpp.js";
import { FuzzRng, mutatedStanza, textMutatedStanza, type Tree } from "./jingle-mutate.js";
import { seedStanzas } from "./jingle-seeds.js";

/** A broken promise of the oracle, with the input that broke it. */
export class OracleViolation extends Error {
  override readonly name = "OracleViolation";
  constructor(
    message: string,
    readonly input: Tree,
    readonly sender: string,
  ) {
    super(message);
  }
}

/** parse's outcome: `parsed:<action>` or `JingleParseError`; anything else throws OracleViolation. */
export function parseOutcome(tree: Tree, sender = ""): string {
  try {
    return `parsed:${parseJingle(tree).action}`;
  } catch (error) {
    if (error instanceof JingleParseError) return "JingleParseError";
    throw new OracleViolation(`parseJingle threw ${String(error)}`, tree, sender);
  }
}

export const ALICE = "alice@jingle.test/legit";
export const BOB = "bob@jingle.test/bot";
/** The strangers the fuzzed stanzas come from (two resources of one account, JID case too). */
export const STRANGERS = [
  "mallory@evil.test/a",
  "mallory@evil.test/b",
  "Mallory@EVIL.test/a",
  "eve@evil.test/x",
  "trudy@evil.test/y",
] as const;

/** The limits the fuzzed plugin runs with: small, so that every refusal is reached often. */
export const FUZZ_LIMITS = { maxSessions: 6, maxPendingSessions: 4, maxSessionsPerPeer: 2 };

const CONDITIONS = new Set([
  "bad-request",
  "conflict",
  "feature-not-implemented",
  "item-not-found",
  "not-acceptable",
  "resource-constraint",
  "service-unavailable",
  "unexpected-request",
]);
const TYPES = new Set(["auth", "cancel", "continue", "modify", "wait"]);

/** How long a batch's answers may take (the handler answers synchronously: far less). */
const ANSWER_DEADLINE_MS = 20_000;

/** Bob's plugin under fire, Alice's session with Bob alongside. */
export class PluginHarness {
  readonly network = new FakeNetwork();
  readonly bob: JingleIce;
  readonly alice: JingleIce;
  /** Failures nobody awaited (unhandled rejections, uncaught exceptions) while running. */
  readonly unhandled: unknown[] = [];
  /** `error` events of Bob's plugin (reported, hence handled), by message. */
  readonly reported = new Map<string, number>();
  private legit:
    | { ours: JingleSession; theirs: JingleSession; a: SessionChannel; b: SessionChannel }
    | undefined;
  private legitEnded: string | undefined;
  private readonly onUnhandled = (error: unknown): void => void this.unhandled.push(error);
  /** Sessions Bob initiated to strangers (never connected: no ICE, no traffic). */
  private readonly outgoing = new Map<string, JingleSession>();

  constructor(private readonly rng: FuzzRng) {
    const ice = { addresses: ["127.0.0.1"] };
    this.bob = jingleIceUdp(this.network.client(BOB), {
      ice,
      limits: FUZZ_LIMITS,
      setupTimeoutMs: 3_000,
      iqTimeoutMs: 2_000,
    });
    this.alice = jingleIceUdp(this.network.client(ALICE), { ice });
    for (const jid of STRANGERS) {
      this.network.client(jid).iqCallee.set(NS_JINGLE, "jingle", () => true);
    }
    this.bob.on("error", (error) => {
      const key = error.message.replace(/[0-9]+/g, "N").slice(0, 60);
      this.reported.set(key, (this.reported.get(key) ?? 0) + 1);
    });
    this.alice.on("error", () => undefined);
    // Bob accepts Alice; of the strangers' sessions it declines some and leaves others pending.
    this.bob.on("incoming", (session) => {
      if (session.peer === ALICE) return;
      if (this.rng.chance(0.5)) void session.terminate("decline");
    });
  }

  /** The legitimate session's sid (the fuzzer's sid pool includes it). */
  get legitSid(): string {
    return this.legit?.ours.sid ?? "";
  }

  /** Opens Alice's session with Bob and watches for unhandled failures. */
  async start(): Promise<void> {
    process.on("unhandledRejection", this.onUnhandled);
    process.on("uncaughtException", this.onUnhandled);
    const incoming = new Promise<JingleSession>((resolve) =>
      this.bob.once("incoming", (s) => resolve(s)),
    );
    const ours = this.alice.initiate(BOB);
    const connected = ours.connect();
    const theirs = await incoming;
    const [a, b] = await Promise.all([connected, theirs.accept()]);
    this.legit = { ours, theirs, a, b };
    for (const s of [ours, theirs])
      s.on(
        "terminated",
        (reason) => (this.legitEnded ??= `${reason.condition} ${reason.text ?? ""}`),
      );
  }

  /** Sessions Bob initiates to strangers (pending until they answer); kept at one per stranger. */
  private initiateOutgoing(): void {
    for (const jid of STRANGERS.slice(0, 2)) {
      const session = this.outgoing.get(jid);
      if (session !== undefined && session.state !== "ended") continue;
      try {
        this.outgoing.set(jid, this.bob.initiate(jid));
      } catch {
        // maxSessions reached: a documented refusal of initiate(), not a fuzz outcome
      }
    }
  }

  /** The sids the mutated stanzas use: fresh ones, Bob's sessions', and the legitimate one. */
  sids(): string[] {
    return [
      "fuzz-1",
      "fuzz-2",
      "a+b/c==",
      this.legitSid,
      ...[...this.outgoing.values()].map((s) => s.sid),
    ];
  }

  /**
   * Sends `batch` (stanza, sender) pairs to Bob at once, as stanzas arriving in one read, and
   * checks every answer; then lets Bob's after-ack work run and checks the limits. Returns the
   * outcomes (`result`, `error:<condition>`, `unrouted`).
   */
  async feed(batch: readonly (readonly [Tree, string])[]): Promise<string[]> {
    this.initiateOutgoing();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const [tree, from] = batch[0]!;
        reject(new OracleViolation(`no answer within ${ANSWER_DEADLINE_MS} ms`, tree, from));
      }, ANSWER_DEADLINE_MS);
    });
    const outcomes = await Promise.race([
      Promise.all(batch.map(([tree, from]) => this.deliver(tree, from))),
      deadline,
    ]).finally(() => clearTimeout(timer));
    // Right after the answers (the stanzas of one read) and once the after-ack work has run.
    this.checkLimits(batch[0]!);
    await new Promise((resolve) => setImmediate(resolve));
    this.checkLimits(batch[0]!);
    if (this.unhandled.length > 0) {
      const [tree, from] = batch[0]!;
      throw new OracleViolation(`unhandled: ${String(this.unhandled[0])}`, tree, from);
    }
    if (this.legitEnded !== undefined) {
      const [tree, from] = batch[0]!;
      throw new OracleViolation(`the legitimate session ended: ${this.legitEnded}`, tree, from);
    }
    // The in-memory network logs every IQ: keep it from growing over a long run.
    this.network.log.length = 0;
    this.network.payloads.length = 0;
    this.network.timeline.length = 0;
    return outcomes;
  }

  private async deliver(tree: Tree, from: string): Promise<string> {
    const routed = tree.name === "jingle" && tree.attrs["xmlns"] === NS_JINGLE;
    const stanza = xml("iq", { type: "set", to: BOB, id: "fz" }, toXmpp(tree)) as never;
    try {
      const result = await this.network.deliver(from, stanza);
      if (!routed) throw new OracleViolation("an unrouted IQ got a result", tree, from);
      if (result.children.length > 0)
        throw new OracleViolation("a result with a payload (not an ack)", tree, from);
      return "result";
    } catch (error) {
      if (error instanceof OracleViolation) throw error;
      if (!(error instanceof FakeStanzaError))
        throw new OracleViolation(`the IQ handler threw: ${String(error)}`, tree, from);
      if (!routed) return "unrouted";
      const problem = checkErrorStanza(error.element);
      if (problem !== undefined) throw new OracleViolation(problem, tree, from);
      return `error:${error.condition}`;
    }
  }

  private checkLimits([tree, from]: readonly [Tree, string]): void {
    const { sessions, pending } = this.bob.stats();
    if (sessions > FUZZ_LIMITS.maxSessions)
      throw new OracleViolation(`${sessions} sessions > maxSessions`, tree, from);
    // Bob's own initiations count as pending too, but are not limited by maxPendingSessions.
    if (pending > FUZZ_LIMITS.maxPendingSessions + this.outgoing.size)
      throw new OracleViolation(`${pending} pending sessions > maxPendingSessions`, tree, from);
  }

  /** The legitimate session still carries datagrams both ways; then everything is closed. */
  async finish(): Promise<void> {
    const legit = this.legit!;
    const echo = async (from: SessionChannel, to: SessionChannel, text: string) => {
      const got = new Promise<string>((resolve) =>
        to.once("message", (data: Uint8Array) => resolve(Buffer.from(data).toString())),
      );
      from.send(new TextEncoder().encode(text));
      const received = await got;
      if (received !== text) throw new Error(`the legitimate session garbled ${text}`);
    };
    try {
      if (legit.ours.state !== "active" || legit.theirs.state !== "active")
        throw new Error("the legitimate session is not active");
      await echo(legit.a, legit.b, "ping");
      await echo(legit.b, legit.a, "pong");
    } finally {
      // One side first: both terminating at once would cross (the second gets item-not-found).
      await this.alice.close();
      await new Promise((resolve) => setTimeout(resolve, 20)); // Bob handles it after its ack
      await this.bob.close();
      await new Promise((resolve) => setTimeout(resolve, 20));
      process.off("unhandledRejection", this.onUnhandled);
      process.off("uncaughtException", this.onUnhandled);
    }
    if (this.unhandled.length > 0) throw new Error(`unhandled: ${String(this.unhandled[0])}`);
    if (this.bob.stats().sessions !== 0) throw new Error("sessions left after close()");
  }
}

/**
 * Why `reply` is not a proper IQ error payload (RFC 6120 §8.3.2: a `type`, one defined condition
 * in the stanzas namespace; XEP-0166 §10: at most a Jingle condition besides), or undefined.
 */
export function checkErrorStanza(reply: XmlElement): string | undefined {
  if (reply.name !== "error") return `answered with <${reply.name}/>, not an error or a result`;
  if (!TYPES.has(reply.attrs["type"] ?? "")) return `error type '${reply.attrs["type"]}'`;
  const [condition, jingle, ...rest] = reply.children.filter((c) => typeof c !== "string");
  if (condition === undefined || condition.attrs["xmlns"] !== NS_XMPP_STANZAS)
    return "error without a stanza condition";
  if (!CONDITIONS.has(condition.name)) return `unexpected condition ${condition.name}`;
  if (jingle !== undefined && jingle.attrs["xmlns"] !== NS_JINGLE_ERRORS)
    return "second error child outside the Jingle errors namespace";
  if (rest.length > 0) return "more than two error conditions";
  return undefined;
}

/** What a fuzz run did. */
export interface FuzzReport {
  readonly stanzas: number;
  readonly seconds: number;
  /** Outcome → count: parse outcomes and the plugin's answers. */
  readonly outcomes: ReadonlyMap<string, number>;
  /** `error` events the plugin reported (handled failures, e.g. a stranger refusing an IQ). */
  readonly reported: ReadonlyMap<string, number>;
  readonly violation?: OracleViolation;
}

/**
 * Runs `stanzas` mutated stanzas (seeded) through parseJingle and Bob's plugin, in batches of
 * 1–6; stops at the first oracle violation.
 */
export async function runJingleFuzz(
  stanzas: number,
  seed: number,
  onProgress: (done: number) => void = () => undefined,
): Promise<FuzzReport> {
  const rng = new FuzzRng(seed);
  const harness = new PluginHarness(new FuzzRng(seed ^ 0x5eed));
  const outcomes = new Map<string, number>();
  const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  const started = process.hrtime.bigint();
  await harness.start();
  let violation: OracleViolation | undefined;
  let done = 0;
  try {
    const seeds = STRANGERS.map((jid) => seedStanzas("seed", jid));
    while (done < stanzas) {
      const batch: [Tree, string][] = [];
      const size = Math.min(stanzas - done, 1 + rng.int(6));
      const sids = harness.sids();
      for (let made = 0; made < size; made++) {
        const who = rng.int(STRANGERS.length);
        const from = STRANGERS[who]!;
        const tree = rng.chance(0.15)
          ? textMutatedStanza(rng, seeds[who]!)
          : mutatedStanza(rng, seeds[who]!, sids);
        if (tree === undefined) {
          count("text:not well-formed XML");
          continue;
        }
        count(parseOutcome(tree, from));
        batch.push([tree, from]);
      }
      done += size;
      if (batch.length > 0) for (const outcome of await harness.feed(batch)) count(outcome);
      if (done % 10_000 < size) onProgress(done);
    }
  } catch (error) {
    if (!(error instanceof OracleViolation)) throw error;
    violation = error;
  }
  let finishError: unknown;
  await harness.finish().catch((error: unknown) => (finishError = error));
  if (violation === undefined && finishError !== undefined) {
    violation = new OracleViolation(String(finishError), { name: "", attrs: {}, children: [] }, "");
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    stanzas: done,
    seconds,
    outcomes,
    reported: harness.reported,
    ...(violation !== undefined && { violation }),
  };
}
