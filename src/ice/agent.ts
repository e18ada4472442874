/**
 * The ICE agent (RFC 8445, full agent, trickle always): a sans-IO state machine. A driver feeds
 * it host addresses, signalling, datagrams and the time, and drains transmits, events and one
 * timer deadline (DESIGN.md §2). Nothing here touches a socket, a clock or ambient randomness.
 */
import { toHex } from "../common/bytes.js";
import type { TransportAddress } from "../common/address.js";
import { getAttribute, decodeStunMessage, type DecodedStunMessage } from "../stun/message.js";
import { isStunMessage } from "../stun/demux.js";
import { StunMethod } from "../stun/constants.js";
import { shortTermKey } from "../stun/credentials.js";
import { verifyMessageIntegrity } from "../stun/verify.js";
import { StunClientTransaction } from "../stun/transaction.js";
import { createTransactionId } from "../stun/transaction-id.js";
import {
  FoundationRegistry,
  checkRemoteCandidate,
  sameAddress,
  type LocalCandidate,
  type RemoteCandidateInput,
} from "./candidate.js";
import { CheckList } from "./checklist.js";
import { createPassword, createTieBreaker, createUfrag } from "./credentials.js";
import { encodeCheckRequest } from "./messages.js";
import type { CandidatePair } from "./pair.js";
import { candidatePriority, localPreference } from "./priority.js";
import { Consent } from "./consent.js";
import { ReflexiveGatherer } from "./reflexive.js";
import { answerCheck } from "./requests.js";
import { Relays } from "./relays.js";
import { ComponentStates } from "./states.js";
import type {
  AgentEvent,
  AgentOptions,
  AgentStats,
  Candidate,
  CandidatePairInfo,
  IceRole,
  IceState,
  ReceivedDatagram,
  Transmit,
} from "./types.js";

/** The defaults of {@link AgentOptions}, documented there. */
const defaults = {
  components: 1,
  taMs: 20,
  minRtoMs: 500,
  maxRtoMs: 3000,
  maxCheckTransmissions: 7,
  stunServerTimeoutMs: 3000,
  nominationSettleMs: 100,
  maxRemoteCandidates: 100,
  maxPairs: 100,
  consentIntervalMs: 5000,
  disconnectedTimeoutMs: 10_000,
  consentTimeoutMs: 30_000,
  failureGraceMs: 1000,
  turnServerTimeoutMs: 5000,
} as const;

type Settings = { -readonly [K in keyof typeof defaults]: number };

/** An outstanding STUN transaction and what it is for. */
type Pending =
  | {
      readonly kind: "check";
      readonly transaction: StunClientTransaction;
      readonly pair: CandidatePair;
      readonly key: Uint8Array;
    }
  | {
      readonly kind: "consent";
      readonly transaction: StunClientTransaction;
      readonly pair: CandidatePair;
      readonly key: Uint8Array;
    };

/** A check that arrived before the peer's credentials did (trickle). */
interface EarlyCheck {
  readonly socket: LocalCandidate;
  readonly source: TransportAddress;
  readonly priority: number;
  readonly useCandidate: boolean;
}

/** Per-component nomination and consent bookkeeping. */
interface ComponentRuntime {
  selected: CandidatePair | undefined;
  /** After an ICE restart: the old selected pair, which carries data until a new one is selected. */
  previous: CandidatePair | undefined;
  firstValidAt: number | undefined;
  nominating: CandidatePair | undefined;
  readonly consent: Consent;
  failingSince: number | undefined;
}

/** A full ICE agent for one data stream with 1..n components. */
export class IceAgent {
  private readonly settings: Settings;
  private readonly rng: AgentOptions["rng"];
  private readonly stunServers: readonly TransportAddress[];
  private readonly reflexive: ReflexiveGatherer;
  private readonly relayOnly: boolean;
  private readonly foundations = new FoundationRegistry();
  private roleValue: IceRole;
  private readonly tieBreaker: bigint;
  private ufrag: string;
  private pwd: string;
  private localKey: Uint8Array;
  private remoteUfrag: string | undefined;
  private remoteKey: Uint8Array | undefined;
  /** Our sockets: host candidates and relayed candidates (their bases). */
  private readonly sockets: LocalCandidate[] = [];
  private readonly locals: LocalCandidate[] = [];
  private remotes: Candidate[] = [];
  private readonly checklist: CheckList;
  private readonly pending = new Map<string, Pending>();
  private earlyChecks: EarlyCheck[] = [];
  private readonly runtime: ComponentRuntime[] = [];
  private readonly states: ComponentStates;
  private readonly transmits: Transmit[] = [];
  private readonly events: AgentEvent[] = [];
  /** Remote addresses a check validated, per local socket base: where data may come from. */
  private readonly validated = new Map<TransportAddress, Map<string, Map<number, number>>>();
  private gatheringStarted = false;
  private gatheringDone = false;
  private remoteEnded = false;
  private nextPacedAt = -Infinity;
  private prflxCount = 0;
  private closed = false;
  private readonly relays: Relays;
  /** pollTimeout()'s last answer; recomputed after any input but data in or out. */
  private deadline: number | undefined | null = null;
  private readonly counters: Omit<
    AgentStats,
    | "localCandidates"
    | "remoteCandidates"
    | "pairs"
    | "validPairs"
    | "selectedPairs"
    | "turn"
    | "stunServerRequestsSent"
  >;

  constructor(options: AgentOptions) {
    const settings = { ...defaults } as Settings;
    for (const name of Object.keys(defaults) as (keyof Settings)[]) {
      const value = options[name];
      if (value !== undefined) {
        if (!(Number.isFinite(value) && value >= 0))
          throw new RangeError(`${name} must be a finite number ≥ 0`);
        settings[name] = value;
      }
    }
    if (
      !Number.isInteger(settings.components) ||
      settings.components < 1 ||
      settings.components > 256
    ) {
      throw new RangeError("components must be an integer in 1..256");
    }
    this.settings = settings;
    this.rng = options.rng;
    this.stunServers = options.stunServers ?? [];
    this.relayOnly = options.relayOnly ?? false;
    this.roleValue = options.role;
    this.tieBreaker = options.tieBreaker ?? createTieBreaker(options.rng);
    this.ufrag = options.ufrag ?? createUfrag(options.rng);
    this.pwd = options.pwd ?? createPassword(options.rng);
    this.localKey = shortTermKey(this.pwd, "none");
    this.checklist = new CheckList(settings.maxPairs);
    this.reflexive = new ReflexiveGatherer(
      options.rng,
      settings.minRtoMs,
      settings.stunServerTimeoutMs,
    );
    this.relays = new Relays(options.turnServers ?? [], options.rng, settings.turnServerTimeoutMs);
    this.states = new ComponentStates(settings.components, (event) => this.events.push(event));
    for (let i = 0; i < settings.components; i++) {
      this.runtime.push({
        selected: undefined,
        previous: undefined,
        firstValidAt: undefined,
        nominating: undefined,
        consent: new Consent(options.rng, settings),
        failingSince: undefined,
      });
    }
    this.counters = {
      checksSent: 0,
      checksReceived: 0,
      checkRetransmissions: 0,
      successResponsesReceived: 0,
      errorResponsesReceived: 0,
      responsesSent: 0,
      roleConflicts: 0,

      consentChecksSent: 0,
      dataSent: 0,
      dataReceived: 0,
      bytesSent: 0,
      bytesReceived: 0,
      dropped: {},
      ignoredRemoteCandidates: {},
    };
  }

  // --- identity ------------------------------------------------------------------------------

  /** Our current role. */
  get role(): IceRole {
    return this.roleValue;
  }

  /** Our ufrag and password, to signal to the peer. */
  get localCredentials(): { readonly ufrag: string; readonly pwd: string } {
    return { ufrag: this.ufrag, pwd: this.pwd };
  }

  /** State of one component, or of the agent as a whole. */
  state(component?: number): IceState {
    return component === undefined ? this.states.agent : this.states.of(component);
  }

  /** The selected pair of a component, if any. */
  selectedPair(component: number): CandidatePairInfo | undefined {
    const pair = this.runtime[component - 1]?.selected;
    return pair === undefined ? undefined : this.info(pair);
  }

  // --- inputs --------------------------------------------------------------------------------

  /**
   * Registers a bound socket: one host candidate for `component` at `address` (RFC 8445
   * §5.1.1.1). Call it for each socket before {@link startGathering}; later calls trickle.
   */
  addHostAddress(now: number, component: number, address: TransportAddress): void {
    if (this.closed) return;
    this.checkComponent(component);
    if (
      this.sockets.some((h) => h.candidate.component === component && sameAddress(h.base, address))
    )
      return;
    const index = this.sockets.filter((h) => h.candidate.component === component).length;
    const candidate: Candidate = {
      foundation: this.foundations.foundationFor("host", address.address),
      component,
      transport: "udp",
      priority: candidatePriority("host", localPreference(address.family, index), component),
      address,
      type: "host",
    };
    this.addSocket({ candidate, base: address });
    this.update(now);
  }

  /**
   * Adds a relayed candidate (RFC 8445 §5.1.1.2) whose transport the caller provides, normally a
   * TURN allocation: `relayed` is the allocated address, `mapped` our server-reflexive address
   * as the server saw it (`rel-addr`), `server` the relay server. The agent uses `relayed` like a
   * socket: checks and data for its pairs come out of {@link pollTransmit} with `local` =
   * `relayed`, for the caller to send through the relay, and what the relay delivers from a peer
   * goes back in through {@link handleDatagram} with `local` = `relayed`.
   */
  addRelayedCandidate(
    now: number,
    component: number,
    relayed: TransportAddress,
    mapped: TransportAddress,
    server: TransportAddress,
  ): void {
    if (this.closed) return;
    this.checkComponent(component);
    this.addRelayed(component, relayed, mapped, server);
    this.update(now);
  }

  private addRelayed(
    component: number,
    relayed: TransportAddress,
    mapped: TransportAddress,
    server: TransportAddress,
  ): void {
    if (
      this.sockets.some((h) => h.candidate.component === component && sameAddress(h.base, relayed))
    )
      return;
    const index = this.sockets.filter(
      (h) => h.candidate.component === component && h.candidate.type === "relay",
    ).length;
    const candidate: Candidate = {
      foundation: this.foundations.foundationFor("relay", relayed.address, server),
      component,
      transport: "udp",
      priority: candidatePriority("relay", localPreference(relayed.family, index), component),
      address: relayed,
      type: "relay",
      relatedAddress: mapped,
    };
    this.addSocket({ candidate, base: relayed });
  }

  private addSocket(local: LocalCandidate): void {
    this.sockets.push(local);
    this.locals.push(local);
    if (this.gatheringStarted && this.usable(local)) {
      this.events.push({ type: "local-candidate", candidate: local.candidate });
      for (const remote of this.remotes) this.formPair(local, remote);
    }
  }

  /** With the relay-only policy, only relayed candidates are offered and checked. */
  private usable(local: LocalCandidate): boolean {
    return !this.relayOnly || local.candidate.type === "relay";
  }

  /**
   * Emits the host candidates and asks every STUN server, in parallel, for the server-reflexive
   * address of each host socket of its family (RFC 8445 §5.1.1.2). `gathering-complete` follows
   * once every server answered, failed or timed out (`stunServerTimeout`).
   */
  startGathering(now: number): void {
    if (this.closed || this.gatheringStarted) return;
    this.gatheringStarted = true;
    for (const socket of this.sockets) {
      if (this.usable(socket))
        this.events.push({ type: "local-candidate", candidate: socket.candidate });
    }
    if (!this.relayOnly) {
      const hosts = this.sockets.filter((s) => s.candidate.type === "host");
      this.reflexive.start(now, hosts, this.stunServers);
      this.drainReflexive(now);
    }
    this.relays.start(now, this.sockets);
    this.drainRelays(now);
    this.checkGatheringDone();
    this.update(now);
  }

  /**
   * The peer's ufrag and password. Different ones than before mean the peer restarted ICE
   * (RFC 8445 §9): we restart as well (new `local-credentials` and candidates to signal), its
   * candidates and our pairs are dropped, and the selected pair keeps carrying data until a new
   * one is selected.
   */
  setRemoteCredentials(now: number, ufrag: string, pwd: string): void {
    if (this.closed) return;
    const key = shortTermKey(pwd, "none");
    if (
      this.remoteUfrag !== undefined &&
      (this.remoteUfrag !== ufrag || toHex(key) !== toHex(this.remoteKey!))
    ) {
      // RFC 8445 §9: the peer restarted ICE; we restart too, with new credentials of our own.
      this.restartLocally();
    }
    this.remoteUfrag = ufrag;
    this.remoteKey = key;
    const early = this.earlyChecks;
    this.earlyChecks = [];
    for (const check of early) this.acceptCheck(now, check);
    this.update(now);
  }

  /**
   * A trickled remote candidate (any time, RFC 8838). Returns false when it is ignored: not UDP,
   * a hostname or `.local` name, a zone id, out of range, or over `maxRemoteCandidates`.
   */
  addRemoteCandidate(now: number, input: RemoteCandidateInput): boolean {
    if (this.closed) return false;
    const checked = checkRemoteCandidate(input, this.settings.components);
    if (typeof checked === "string") return this.ignoreRemote(checked);
    const known = this.remotes.find(
      (r) => r.component === checked.component && sameAddress(r.address, checked.address),
    );
    if (known !== undefined) {
      if (known.type !== "prflx") return this.ignoreRemote("duplicate");
      // The signalled candidate replaces the peer-reflexive one learnt from a check, in place:
      // pairs keep their state, so a selected pair does not flap (RFC 8445 §7.3.1.3).
      this.replaceRemote(known, checked);
      this.update(now);
      return true;
    }
    if (this.remotes.length >= this.settings.maxRemoteCandidates) return this.ignoreRemote("cap");
    this.remotes.push(checked);
    for (const local of this.sockets) {
      if (local.candidate.component === checked.component && this.usable(local))
        this.formPair(local, checked);
    }
    this.update(now);
    return true;
  }

  /** The peer has sent all its candidates: once everything failed, the agent may fail. */
  endOfRemoteCandidates(now: number): void {
    if (this.closed) return;
    this.remoteEnded = true;
    this.update(now);
  }

  /** Changes our role (signalling said so); priorities are recomputed. */
  setRole(now: number, role: IceRole): void {
    if (this.closed || role === this.roleValue) return;
    this.switchRole(role);
    this.update(now);
  }

  /**
   * A datagram received on one of our sockets. Returns false when it is not ours (an unknown
   * local address, or STUN that is not ICE's); otherwise it was handled or dropped and counted.
   */
  handleDatagram(now: number, datagram: ReceivedDatagram): boolean {
    if (this.closed) return false;
    const socket = this.socketFor(datagram.local);
    if (socket === undefined) return false;
    if (
      socket.candidate.type === "host" &&
      this.relays.handleDatagram(now, socket.base, datagram.remote, datagram.data)
    ) {
      this.drainRelays(now);
      this.update(now);
      return true;
    }
    if (!this.usable(socket)) return this.drop("relay-only");
    if (isStunMessage(datagram.data)) {
      let message: DecodedStunMessage;
      try {
        message = decodeStunMessage(datagram.data);
      } catch {
        return this.drop("malformed-stun");
      }
      if (message.method !== StunMethod.Binding) return false;
      if (message.class === "request") this.onRequest(now, socket, datagram, message);
      else if (message.class === "success" || message.class === "error")
        this.onResponse(now, datagram, message);
      this.update(now);
      return true;
    }
    const component = this.validated
      .get(socket.base)
      ?.get(datagram.remote.address)
      ?.get(datagram.remote.port);
    if (component === undefined) return this.drop("unvalidated-source");
    this.counters.dataReceived++;
    this.counters.bytesReceived += datagram.data.length;
    this.events.push({ type: "data", component, data: datagram.data });
    return true;
  }

  /** Bytes that arrived on a TCP/TLS stream to a TURN server (see the `stream-open` transmit). */
  handleStreamData(now: number, stream: number, data: Uint8Array): void {
    if (this.closed) return;
    this.relays.handleStreamData(now, stream, data);
    this.drainRelays(now);
    this.update(now);
  }

  /** A stream to a TURN server closed or could not be opened (`cause`: the socket's error). */
  handleStreamClosed(now: number, stream: number, cause?: Error): void {
    if (this.closed) return;
    this.relays.handleStreamClosed(now, stream, cause);
    this.drainRelays(now);
    this.update(now);
  }

  /** The time has come (the driver's single timer fired). */
  handleTimeout(now: number): void {
    if (this.closed) return;
    this.update(now);
  }

  /**
   * Sends application data over the selected pair, or before nomination over the best valid
   * pair. Never to an address no check has validated. Returns false when there is no such pair.
   */
  send(now: number, component: number, data: Uint8Array): boolean {
    if (this.closed) return false;
    const runtime = this.runtime[component - 1];
    if (runtime === undefined || this.states.of(component) === "failed") return false;
    const pair = runtime.selected ?? this.bestValid(component) ?? runtime.previous;
    if (pair === undefined) {
      this.drop("no-valid-pair");
      return false;
    }
    this.counters.dataSent++;
    this.counters.bytesSent += data.length;
    return this.out(now, pair.local.base, pair.remote.address, data);
  }

  /**
   * ICE restart (RFC 8445 §9): new credentials, new checks; the selected pair keeps carrying data
   * until a new pair is selected. Signal the new credentials and candidates to the peer, whose
   * answer brings its own new credentials ({@link setRemoteCredentials}).
   */
  restart(now: number): void {
    if (this.closed) return;
    this.restartLocally();
    this.remoteUfrag = undefined;
    this.remoteKey = undefined;
    this.update(now);
  }

  /** New credentials, new checks, candidates signalled again; selected pairs keep data flowing. */
  private restartLocally(): void {
    this.ufrag = createUfrag(this.rng);
    this.pwd = createPassword(this.rng);
    this.localKey = shortTermKey(this.pwd, "none");
    this.resetChecks();
    this.events.push({ type: "local-credentials", ufrag: this.ufrag, pwd: this.pwd });
    for (const local of this.locals) {
      if (local.candidate.type !== "prflx" && this.usable(local)) {
        this.events.push({ type: "local-candidate", candidate: local.candidate });
      }
    }
    if (this.gatheringDone) this.events.push({ type: "gathering-complete" });
  }

  /** Stops everything: no more transmits, timers or events after the `closed` states. */
  close(now: number): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    this.checklist.clear();
    this.transmits.length = 0;
    // RFC 8656 §7.3: deallocate (Refresh with LIFETIME 0); those requests are the last transmits.
    this.relays.close(now);
    this.drainRelays(now);
    this.states.closeAll();
  }

  // --- outputs -------------------------------------------------------------------------------

  /** The next datagram to send, or undefined. */
  pollTransmit(): Transmit | undefined {
    return this.transmits.shift();
  }

  /** The next event for the application, or undefined. */
  pollEvent(): AgentEvent | undefined {
    return this.events.shift();
  }

  /** When {@link handleTimeout} should be called next, or undefined for never. */
  pollTimeout(): number | undefined {
    if (this.closed) return undefined;
    if (this.deadline === null) this.deadline = this.computeDeadline();
    return this.deadline;
  }

  private computeDeadline(): number | undefined {
    let next = this.relays.pollTimeout() ?? Infinity;
    next = Math.min(next, this.reflexive.pollTimeout() ?? Infinity);
    for (const entry of this.pending.values())
      next = Math.min(next, entry.transaction.pollTimeout() ?? Infinity);
    if (this.remoteKey !== undefined && this.checklist.hasWork)
      next = Math.min(next, this.nextPacedAt);
    this.runtime.forEach((runtime, index) => {
      const component = index + 1;
      if (
        this.roleValue === "controlling" &&
        runtime.selected === undefined &&
        runtime.nominating === undefined
      ) {
        if (runtime.firstValidAt !== undefined)
          next = Math.min(next, runtime.firstValidAt + this.settings.nominationSettleMs);
      }
      const state = this.states.of(component);
      if (runtime.selected !== undefined && state !== "failed") {
        next = Math.min(next, runtime.consent.deadline(state === "disconnected"));
      }
      if (runtime.failingSince !== undefined)
        next = Math.min(next, runtime.failingSince + this.settings.failureGraceMs);
    });
    return next === Infinity ? undefined : next;
  }

  /** Counters and the selected pairs, as plain data. */
  stats(): AgentStats {
    return {
      ...this.counters,
      dropped: { ...this.counters.dropped },
      ignoredRemoteCandidates: { ...this.counters.ignoredRemoteCandidates },
      localCandidates: this.locals.length,
      remoteCandidates: this.remotes.length,
      pairs: this.checklist.pairs.length,
      validPairs: this.checklist.pairs.filter((p) => p.valid).length,
      selectedPairs: this.runtime.flatMap((r) => (r.selected ? [this.info(r.selected)] : [])),
      turn: this.relays.stats(),
      stunServerRequestsSent: this.reflexive.requestsSent,
    };
  }

  // --- the engine ----------------------------------------------------------------------------

  /** Runs everything that is due at `now`. Called after every input. */
  private update(now: number): void {
    this.deadline = null;
    if (this.closed) return;
    this.relays.handleTimeout(now);
    this.drainRelays(now);
    this.pumpTransactions(now);
    this.pace(now);
    this.nominate(now);
    this.consent(now);
    this.judge(now);
  }

  private pumpTransactions(now: number): void {
    this.reflexive.handleTimeout(now);
    this.drainReflexive(now);
    for (const [id, entry] of this.pending) {
      const { transaction } = entry;
      transaction.handleTimeout(now);
      for (let bytes; (bytes = transaction.pollTransmit());) {
        if (transaction.transmissions > 1 && entry.kind === "check")
          this.counters.checkRetransmissions++;
        this.out(now, entry.pair.local.base, entry.pair.remote.address, bytes);
      }
      if (transaction.state === "timed-out" || transaction.state === "cancelled") {
        this.pending.delete(id);
        this.onTransactionFailed(entry);
      }
    }
  }

  private onTransactionFailed(entry: Pending): void {
    if (entry.kind !== "check") return;
    entry.pair.check = undefined;
    entry.pair.state = "failed";
    const runtime = this.runtime[entry.pair.component - 1]!;
    if (runtime.nominating === entry.pair) runtime.nominating = undefined;
  }

  /** Server-reflexive candidates and STUN server errors from the gatherer. */
  private drainReflexive(now: number): void {
    for (let t; (t = this.reflexive.pollTransmit());)
      if (t.type === "datagram") this.out(now, t.local, t.remote, t.data);
    let changed = false;
    for (let result; (result = this.reflexive.pollEvent());) {
      changed = true;
      if (result.type === "mapped")
        this.addServerReflexive(result.host, result.mapped, result.server);
      else
        this.events.push({ type: "stun-server-error", server: result.server, error: result.error });
    }
    if (changed) this.checkGatheringDone();
  }

  /** Starts one paced check every Ta (RFC 8445 §6.1.4.2, §14.2). */
  private pace(now: number): void {
    if (this.remoteKey === undefined || now < this.nextPacedAt) return;
    let pair = this.checklist.next();
    while (pair !== undefined && this.runtime[pair.component - 1]!.selected?.nominated === true) {
      // RFC 8445 §8.1.2: a component with a nominated pair needs no further ordinary checks.
      pair.state = "failed";
      pair = this.checklist.next();
    }
    if (pair === undefined) return;
    this.startCheck(now, pair, false);
    this.nextPacedAt = now + this.settings.taMs;
  }

  private startCheck(now: number, pair: CandidatePair, useCandidate: boolean): void {
    const key = this.remoteKey!;
    const transactionId = createTransactionId(this.rng);
    const request = this.checkRequest(pair, transactionId, useCandidate, key);
    const rto = Math.max(this.settings.minRtoMs, this.settings.taMs * this.checklist.activeCount);
    const transaction = new StunClientTransaction(now, transactionId, request, {
      rtoMs: rto,
      maxRtoMs: Math.max(rto, this.settings.maxRtoMs),
      maxTransmissions: this.settings.maxCheckTransmissions,
    });
    pair.state = "in-progress";
    pair.check = { transaction, useCandidate, role: this.roleValue };
    this.pending.set(toHex(transactionId), { kind: "check", transaction, pair, key });
    this.counters.checksSent++;
    this.states.set(pair.component, "checking", true);
    this.pumpTransactions(now);
  }

  /**
   * Regular nomination by the controlling agent (RFC 8445 §8.1.1): USE-CANDIDATE on the best
   * valid pair as soon as no better pair is still pending, or `nominationSettle` after the first
   * valid pair, whichever comes first. Nomination checks are not paced by Ta.
   */
  private nominate(now: number): void {
    if (this.roleValue !== "controlling" || this.remoteKey === undefined) return;
    this.runtime.forEach((runtime, index) => {
      const component = index + 1;
      if (runtime.selected !== undefined || runtime.nominating !== undefined) return;
      const best = this.bestValid(component);
      if (best === undefined) return;
      const betterPending = this.checklist.pairs.some(
        (p) =>
          p.component === component &&
          !p.valid &&
          (p.state === "waiting" || p.state === "in-progress" || p.state === "frozen") &&
          p.priority > best.priority,
      );
      if (betterPending && now < (runtime.firstValidAt ?? now) + this.settings.nominationSettleMs)
        return;
      runtime.nominating = best;
      this.startCheck(now, best, true);
    });
  }

  /** Consent freshness on selected pairs (RFC 7675). */
  private consent(now: number): void {
    this.runtime.forEach((runtime, index) => {
      const component = index + 1;
      const pair = runtime.selected;
      if (pair === undefined || this.remoteKey === undefined) return;
      const state = this.states.of(component);
      if (state === "failed") return;
      const status = runtime.consent.status(now);
      if (status === "expired") {
        // RFC 7675 §5.1: consent expired; stop sending on this pair.
        this.states.set(component, "failed");
        return;
      }
      if (status === "stale") this.states.set(component, "disconnected");
      if (runtime.consent.takeDue(now)) {
        const key = this.remoteKey;
        const transactionId = createTransactionId(this.rng);
        const request = this.checkRequest(pair, transactionId, false, key);
        const transaction = new StunClientTransaction(now, transactionId, request, {
          rtoMs: this.settings.minRtoMs,
          maxTransmissions: 4,
        });
        this.pending.set(toHex(transactionId), { kind: "consent", transaction, pair, key });
        this.counters.consentChecksSent++;
        this.pumpTransactions(now);
      }
    });
  }

  /** A connectivity (or consent) check on `pair` (RFC 8445 §7.2.2). */
  private checkRequest(
    pair: CandidatePair,
    transactionId: Uint8Array,
    useCandidate: boolean,
    key: Uint8Array,
  ): Uint8Array {
    return encodeCheckRequest({
      transactionId,
      username: `${this.remoteUfrag}:${this.ufrag}`,
      // RFC 8445 §7.1.1: the priority a peer-reflexive candidate from this base would get.
      priority: candidatePriority(
        "prflx",
        (pair.local.candidate.priority >>> 8) & 0xffff,
        pair.component,
      ),
      role: this.roleValue,
      tieBreaker: this.tieBreaker,
      useCandidate,
      key,
    });
  }

  /**
   * Component states: checking → connected (a valid pair) → completed (selected), and failed once
   * the peer ended its candidates, gathering is done, nothing is pending and nothing worked for
   * `failureGrace`.
   */
  private judge(now: number): void {
    this.runtime.forEach((runtime, index) => {
      const component = index + 1;
      const state = this.states.of(component);
      if (state === "failed" || state === "closed") return;
      const hasValid = this.checklist.pairs.some((p) => p.component === component && p.valid);
      if (runtime.selected === undefined && hasValid) this.states.set(component, "connected");
      const hopeless =
        this.remoteEnded &&
        this.gatheringDone &&
        !hasValid &&
        runtime.selected === undefined &&
        runtime.previous === undefined &&
        !this.checklist.hasPending(component) &&
        this.earlyChecks.length === 0;
      if (!hopeless) {
        runtime.failingSince = undefined;
        return;
      }
      runtime.failingSince ??= now;
      if (now >= runtime.failingSince + this.settings.failureGraceMs) {
        runtime.failingSince = undefined;
        this.states.set(component, "failed");
      }
    });
  }

  // --- incoming STUN -------------------------------------------------------------------------

  private onRequest(
    now: number,
    socket: LocalCandidate,
    datagram: ReceivedDatagram,
    message: DecodedStunMessage,
  ): void {
    this.counters.checksReceived++;
    const decision = answerCheck(message, datagram.remote, {
      ufrag: this.ufrag,
      localKey: this.localKey,
      role: this.roleValue,
      tieBreaker: this.tieBreaker,
    });
    if (decision.kind === "role-conflict" || (decision.kind === "accepted" && decision.conflict)) {
      this.counters.roleConflicts++;
    }
    if (decision.kind === "accepted" && decision.switchRole !== undefined)
      this.switchRole(decision.switchRole);
    this.counters.responsesSent++;
    this.out(now, datagram.local, datagram.remote, decision.reply);
    if (decision.kind === "rejected") {
      if (decision.drop !== undefined) this.drop(decision.drop);
      return;
    }
    if (decision.kind === "role-conflict") return;
    const check: EarlyCheck = {
      socket,
      source: datagram.remote,
      priority: decision.priority,
      useCandidate: decision.useCandidate,
    };
    if (this.remoteKey === undefined) {
      if (this.earlyChecks.length < this.settings.maxRemoteCandidates) this.earlyChecks.push(check);
      return;
    }
    this.acceptCheck(now, check);
  }

  /** RFC 8445 §7.3.1.3–7.3.1.5: learn a peer-reflexive candidate, trigger a check, nominate. */
  private acceptCheck(now: number, check: EarlyCheck): void {
    const component = check.socket.candidate.component;
    let remote = this.remotes.find(
      (r) => r.component === component && sameAddress(r.address, check.source),
    );
    if (remote === undefined) {
      if (this.remotes.length >= this.settings.maxRemoteCandidates) {
        this.ignoreRemote("cap");
        return;
      }
      remote = {
        foundation: `prflx${++this.prflxCount}`,
        component,
        transport: "udp",
        priority: check.priority,
        address: check.source,
        type: "prflx",
      };
      this.remotes.push(remote);
    }
    const added = this.checklist.add(check.socket, remote, this.roleValue);
    if (added.kind === "cap") return;
    const pair = added.pair;
    if (check.useCandidate) pair.remoteNominated = true;
    if (pair.state === "succeeded") {
      if (check.useCandidate) this.select(now, pair);
    } else {
      this.checklist.trigger(pair, now);
    }
    this.states.set(component, "checking", true);
  }

  private onResponse(now: number, datagram: ReceivedDatagram, message: DecodedStunMessage): void {
    if (this.reflexive.handleResponse(now, message)) {
      this.drainReflexive(now);
      return;
    }
    const id = toHex(message.transactionId);
    const entry = this.pending.get(id);
    if (entry === undefined) {
      this.drop("unknown-transaction");
      return;
    }
    if (!verifyMessageIntegrity(message, entry.key)) {
      this.drop("bad-integrity");
      return;
    }
    this.pending.delete(id);
    entry.transaction.complete();
    if (message.class === "success") this.counters.successResponsesReceived++;
    else this.counters.errorResponsesReceived++;
    const pair = entry.pair;
    if (entry.kind === "consent") {
      if (message.class === "success") this.refreshConsent(now, pair);
      return;
    }
    const sentRole = pair.check?.role ?? this.roleValue;
    pair.check = undefined;
    const runtime = this.runtime[pair.component - 1]!;
    const wasNominating = runtime.nominating === pair;
    if (wasNominating) runtime.nominating = undefined;
    // RFC 8445 §7.2.5.2.1: the response must come from where the request went, to where it left.
    if (
      !sameAddress(datagram.remote, pair.remote.address) ||
      !sameAddress(datagram.local, pair.local.base)
    ) {
      pair.state = "failed";
      return;
    }
    if (message.class === "error") {
      const code = getAttribute(message, "ERROR-CODE")?.code;
      if (code === 487) {
        // RFC 8445 §7.2.5.1: switch role (unless already switched) and check the pair again.
        this.counters.roleConflicts++;
        if (sentRole === this.roleValue)
          this.switchRole(sentRole === "controlling" ? "controlled" : "controlling");
        pair.state = "waiting";
        this.checklist.trigger(pair, now);
        return;
      }
      pair.state = "failed";
      return;
    }
    const mapped = getAttribute(message, "XOR-MAPPED-ADDRESS");
    if (mapped === undefined) {
      pair.state = "failed";
      return;
    }
    pair.state = "succeeded";
    pair.validLocal = this.localFor(pair, mapped);
    pair.lastSuccessAt = now;
    this.validate(pair);
    this.checklist.unfreezeAfterSuccess(pair);
    runtime.firstValidAt ??= now;
    if (
      (wasNominating && this.roleValue === "controlling") ||
      (pair.remoteNominated && this.roleValue === "controlled")
    ) {
      this.select(now, pair);
    }
  }

  /**
   * A server-reflexive candidate for `host` (RFC 8445 §5.1.1.2), from a STUN Binding or a TURN
   * Allocate response; skipped when it equals the host address or a candidate we already have.
   */
  private addServerReflexive(
    host: LocalCandidate,
    mapped: TransportAddress,
    server: TransportAddress,
  ): void {
    if (sameAddress(mapped, host.base)) return;
    const component = host.candidate.component;
    if (
      this.locals.some(
        (l) => l.candidate.component === component && sameAddress(l.candidate.address, mapped),
      )
    )
      return;
    const candidate: Candidate = {
      foundation: this.foundations.foundationFor("srflx", host.base.address, server),
      component,
      transport: "udp",
      priority: candidatePriority("srflx", (host.candidate.priority >>> 8) & 0xffff, component),
      address: mapped,
      type: "srflx",
      relatedAddress: host.base,
    };
    this.locals.push({ candidate, base: host.base });
    this.events.push({ type: "local-candidate", candidate });
  }

  private checkGatheringDone(): void {
    if (
      this.gatheringDone ||
      !this.gatheringStarted ||
      this.relays.gathering ||
      this.reflexive.gathering
    )
      return;
    this.gatheringDone = true;
    this.events.push({ type: "gathering-complete" });
  }

  // --- helpers -------------------------------------------------------------------------------

  /** The local candidate the peer saw for a successful check: known, or a new prflx one. */
  private localFor(pair: CandidatePair, mapped: TransportAddress): LocalCandidate {
    const component = pair.component;
    const known = this.locals.find(
      (l) =>
        l.candidate.component === component &&
        sameAddress(l.candidate.address, mapped) &&
        sameAddress(l.base, pair.local.base),
    );
    if (known !== undefined) return known;
    // RFC 8445 §7.2.5.3.1: a peer-reflexive local candidate, not signalled.
    const candidate: Candidate = {
      foundation: this.foundations.foundationFor("prflx", pair.local.base.address),
      component,
      transport: "udp",
      priority: candidatePriority(
        "prflx",
        (pair.local.candidate.priority >>> 8) & 0xffff,
        component,
      ),
      address: mapped,
      type: "prflx",
      relatedAddress: pair.local.base,
    };
    const local: LocalCandidate = { candidate, base: pair.local.base };
    this.locals.push(local);
    return local;
  }

  /** Makes `pair` the selected pair of its component if it is the best nominated one. */
  private select(now: number, pair: CandidatePair): void {
    pair.nominated = true;
    const runtime = this.runtime[pair.component - 1]!;
    const current = runtime.selected;
    if (
      current !== undefined &&
      current !== pair &&
      current.validPriority(this.roleValue) >= pair.validPriority(this.roleValue)
    ) {
      return;
    }
    if (current === pair) return;
    runtime.selected = pair;
    runtime.previous = undefined;
    runtime.consent.start(now);
    this.events.push({ type: "selected-pair", ...this.info(pair) });
    this.states.set(pair.component, "completed");
  }

  private refreshConsent(now: number, pair: CandidatePair): void {
    const runtime = this.runtime[pair.component - 1]!;
    if (runtime.selected !== pair) return;
    runtime.consent.granted(now);
    pair.lastSuccessAt = now;
    if (this.states.of(pair.component) === "disconnected")
      this.states.set(pair.component, "completed");
  }

  private bestValid(component: number): CandidatePair | undefined {
    let best: CandidatePair | undefined;
    for (const pair of this.checklist.pairs) {
      if (pair.component !== component || !pair.valid) continue;
      if (
        best === undefined ||
        pair.validPriority(this.roleValue) > best.validPriority(this.roleValue)
      )
        best = pair;
    }
    return best;
  }

  private formPair(local: LocalCandidate, remote: Candidate): void {
    if (local.base.family !== remote.address.family) return;
    const result = this.checklist.add(local, remote, this.roleValue);
    if (result.kind === "cap") this.drop("pair-cap");
  }

  private replaceRemote(known: Candidate, signalled: Candidate): void {
    this.remotes = this.remotes.map((r) => (r === known ? signalled : r));
    for (const pair of this.checklist.pairs) {
      if (pair.remote === known) {
        pair.remote = signalled;
        pair.updatePriority(this.roleValue);
      }
    }
    this.checklist.resort();
  }

  private switchRole(role: IceRole): void {
    this.roleValue = role;
    this.checklist.setRole(role);
    this.events.push({ type: "role", role });
  }

  /** Forgets the peer's candidates and our pairs; selected pairs stay for data (restart). */
  private resetChecks(): void {
    this.pending.clear();
    this.checklist.clear();
    this.remotes = [];
    this.earlyChecks = [];
    this.remoteEnded = false;
    this.nextPacedAt = -Infinity;
    this.validated.clear();
    this.runtime.forEach((runtime, index) => {
      const keep = runtime.selected ?? runtime.previous;
      runtime.previous = keep;
      runtime.selected = undefined;
      runtime.firstValidAt = undefined;
      runtime.nominating = undefined;
      runtime.failingSince = undefined;
      runtime.consent.stop();
      if (keep !== undefined) this.validate(keep);
      this.states.set(index + 1, "checking");
    });
  }

  /** The host candidate of the socket bound at `local` (the driver passes our own objects back). */
  private socketFor(local: TransportAddress): LocalCandidate | undefined {
    const hosts = this.sockets;
    for (let i = 0; i < hosts.length; i++) if (hosts[i]!.base === local) return hosts[i];
    return hosts.find((h) => sameAddress(h.base, local));
  }

  /** Sends from `local`: directly, or through the TURN allocation when it is a relayed address. */
  private out(
    now: number,
    local: TransportAddress,
    remote: TransportAddress,
    data: Uint8Array,
  ): boolean {
    if (this.relays.isRelayed(local)) {
      const sent = this.relays.send(now, local, remote, data);
      this.drainRelays(now);
      return sent;
    }
    this.transmits.push({ type: "datagram", local, remote, data });
    return true;
  }

  /** Takes the relays' transmits and acts on their events. */
  private drainRelays(now: number): void {
    for (let transmit; (transmit = this.relays.pollTransmit());) this.transmits.push(transmit);
    for (let event; (event = this.relays.pollEvent());) {
      switch (event.type) {
        case "allocated": {
          const component = event.socket.candidate.component;
          if (!this.relayOnly) this.addServerReflexive(event.socket, event.mapped, event.server);
          this.addRelayed(component, event.relayed, event.mapped, event.server);
          this.checkGatheringDone();
          break;
        }
        case "failed":
          this.events.push({ type: "turn-error", server: event.server, error: event.error });
          if (event.relayed !== undefined) this.dropRelayed(event.relayed);
          this.checkGatheringDone();
          break;
        case "data": {
          const socket = this.socketFor(event.relayed);
          if (socket !== undefined)
            this.handleDatagram(now, { local: socket.base, remote: event.peer, data: event.data });
          break;
        }
        case "permission-failed":
          for (const pair of this.checklist.pairs) {
            if (
              sameAddress(pair.local.base, event.relayed) &&
              pair.remote.address.address === event.peer.address
            ) {
              pair.state = "failed";
            }
          }
          break;
      }
    }
  }

  /** A relayed candidate is gone (its allocation failed): its pairs fail, nothing more is sent on it. */
  private dropRelayed(relayed: TransportAddress): void {
    for (const pair of this.checklist.pairs) {
      if (sameAddress(pair.local.base, relayed) && pair.state !== "succeeded")
        pair.state = "failed";
    }
    const index = this.sockets.findIndex((s) => sameAddress(s.base, relayed));
    if (index >= 0) this.sockets.splice(index, 1);
  }

  /** Lets data from the pair's remote address in on its local socket. */
  private validate(pair: CandidatePair): void {
    let byIp = this.validated.get(pair.local.base);
    if (byIp === undefined) this.validated.set(pair.local.base, (byIp = new Map()));
    let byPort = byIp.get(pair.remote.address.address);
    if (byPort === undefined) byIp.set(pair.remote.address.address, (byPort = new Map()));
    byPort.set(pair.remote.address.port, pair.component);
  }

  private info(pair: CandidatePair): CandidatePairInfo {
    return {
      component: pair.component,
      local: (pair.validLocal ?? pair.local).candidate,
      remote: pair.remote,
    };
  }

  private checkComponent(component: number): void {
    if (!Number.isInteger(component) || component < 1 || component > this.settings.components) {
      throw new RangeError(`component ${component} is not in 1..${this.settings.components}`);
    }
  }

  private drop(reason: string): true {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + 1;
    return true;
  }

  private ignoreRemote(reason: string): false {
    this.counters.ignoredRemoteCandidates[reason] =
      (this.counters.ignoredRemoteCandidates[reason] ?? 0) + 1;
    return false;
  }
}
