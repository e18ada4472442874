/**
 * The ICE agent (RFC 8445, full agent, trickle always): a sans-IO state machine on the project's
 * one contract (`src/common/sans-io.ts`). A driver feeds it host addresses, signalling,
 * datagrams and the time, and drains transmits, events and one timer deadline (docs/architecture.md).
 * Nothing here touches a socket, a clock or ambient randomness.
 *
 * This class is the façade: it owns the lifecycle (closed or not), holds the parts that own the
 * state — candidates (`CandidateRegistry`), credentials and role (`Identity`), checks
 * (`CheckScheduler`, `CheckTransactions`, `CheckResponder`, `ResponseHandler`), nomination,
 * consent, failure, data (`DataPlane`), gathering and TURN routing (`Gathering`, `Router`) —
 * (built by `assembleAgent`) — and runs what is due after every input (`update`).
 */
import type { TransportAddress } from "../common/address.js";
import { earliest, type DatagramSansIo, type Deadline } from "../common/sans-io.js";
import { assembleAgent, type AgentParts } from "./assembly.js";
import { checkRemoteCandidate, type RemoteCandidateInput } from "./candidate.js";
import { pairInfo } from "./pair.js";
import type {
  AgentEvent,
  AgentOptions,
  AgentStats,
  CandidatePairInfo,
  IceRole,
  IceState,
  ReceivedDatagram,
  Transmit,
} from "./types.js";

/** A full ICE agent for one data stream with 1..n components. */
export class IceAgent implements DatagramSansIo<Transmit, AgentEvent> {
  private readonly parts: AgentParts;
  private closed = false;
  /** pollTimeout()'s last answer; recomputed after any input but data in or out. */
  private deadline: Deadline | null = null;

  /** @throws {RangeError} for settings out of range. */
  constructor(options: AgentOptions) {
    this.parts = assembleAgent(options);
  }

  // --- identity ------------------------------------------------------------------------------

  /** Our current role. */
  get role(): IceRole {
    return this.parts.identity.role;
  }

  /** Our ufrag and password, to signal to the peer. */
  get localCredentials(): { readonly ufrag: string; readonly pwd: string } {
    return this.parts.identity.localCredentials;
  }

  /** State of one component, or of the agent as a whole. */
  state(component?: number): IceState {
    return component === undefined ? this.parts.states.agent : this.parts.states.of(component);
  }

  /** The selected pair of a component, if any. */
  selectedPair(component: number): CandidatePairInfo | undefined {
    const pair = this.parts.components.get(component)?.selected;
    return pair === undefined ? undefined : pairInfo(pair);
  }

  // --- inputs --------------------------------------------------------------------------------

  /**
   * Registers a bound socket: one host candidate for `component` at `address` (RFC 8445
   * §5.1.1.1). Call it for each socket before {@link startGathering}; later calls trickle.
   */
  addHostAddress(now: number, component: number, address: TransportAddress): void {
    if (this.closed) return;
    this.checkComponent(component);
    this.parts.registry.addHost(component, address);
    this.update(now);
  }

  /**
   * Adds a relayed candidate (RFC 8445 §5.1.1.2) whose transport the caller provides (a TURN
   * layer of its own): `relayed` is the allocated address, `mapped` our server-reflexive address
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
    this.parts.registry.addRelayed(component, relayed, mapped, server);
    this.update(now);
  }

  /**
   * Announces the host candidates and asks every STUN server, in parallel, for the
   * server-reflexive address of each host socket of its family, and every TURN server for an
   * allocation (RFC 8445 §5.1.1.2). `gathering-complete` follows once every server answered,
   * failed or timed out (`stunServerTimeoutMs`, `turnServerTimeoutMs`).
   */
  startGathering(now: number): void {
    if (this.closed || this.parts.gathering.started) return;
    this.parts.gathering.start(now);
    this.parts.router.startRelays(now, this.parts.registry.sockets);
    this.parts.gathering.checkDone();
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
    // RFC 8445 §9: the peer restarted ICE; we restart too, with new credentials of our own.
    if (this.parts.identity.peerRestarted(ufrag, pwd)) this.restartLocally(now);
    this.parts.identity.setRemote(ufrag, pwd);
    this.parts.responder.acceptEarly(now);
    this.update(now);
  }

  /**
   * A trickled remote candidate (any time, RFC 8838). Returns false when it is ignored: not UDP,
   * a hostname or `.local` name, a zone id, out of range, a duplicate, or over
   * `maxRemoteCandidates`.
   */
  addRemoteCandidate(now: number, input: RemoteCandidateInput): boolean {
    if (this.closed) return false;
    const checked = checkRemoteCandidate(input, this.parts.settings.components);
    if (typeof checked === "string") return this.parts.counters.ignoreRemote(checked);
    const added = this.parts.registry.addRemote(checked);
    if (added) {
      this.parts.judge.remoteCandidateAdded();
      this.update(now);
    }
    return added;
  }

  /** The peer has sent all its candidates: once everything failed, the agent may fail. */
  endOfRemoteCandidates(now: number): void {
    if (this.closed) return;
    this.parts.judge.remoteEnded = true;
    this.update(now);
  }

  /** Changes our role (signalling said so); priorities are recomputed. */
  setRole(now: number, role: IceRole): void {
    if (this.closed || role === this.parts.identity.role) return;
    this.parts.identity.switchRole(role);
    this.update(now);
  }

  /**
   * A datagram received on one of our sockets. Returns false when it is not ours (an unknown
   * local address, or STUN that is not ICE's); otherwise it was handled or dropped and counted.
   */
  handleDatagram(now: number, datagram: ReceivedDatagram): boolean {
    if (this.closed) return false;
    const socket = this.parts.registry.socketFor(datagram.local);
    if (socket === undefined) return false;
    if (
      socket.candidate.type === "host" &&
      this.parts.router.handleServerDatagram(now, socket.base, datagram.remote, datagram.data)
    ) {
      this.update(now);
      return true;
    }
    const reception = this.parts.inbound.receive(now, socket, datagram.remote, datagram.data);
    if (reception === "stun") this.update(now);
    return reception !== "foreign";
  }

  /** Bytes that arrived on a TCP/TLS stream to a TURN server (see the `stream-open` transmit). */
  handleStreamData(now: number, stream: number, data: Uint8Array): void {
    if (this.closed) return;
    this.parts.router.handleStreamData(now, stream, data);
    this.update(now);
  }

  /** A stream to a TURN server closed or could not be opened (`cause`: the socket's error). */
  handleStreamClosed(now: number, stream: number, cause?: Error): void {
    if (this.closed) return;
    this.parts.router.handleStreamClosed(now, stream, cause);
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
    return this.parts.dataPlane.send(now, component, data);
  }

  /**
   * ICE restart (RFC 8445 §9): new credentials, new checks; the selected pair keeps carrying data
   * until a new pair is selected. Signal the new credentials and candidates to the peer, whose
   * answer brings its own new credentials ({@link setRemoteCredentials}).
   */
  restart(now: number): void {
    if (this.closed) return;
    this.restartLocally(now);
    this.parts.identity.clearRemote();
    this.update(now);
  }

  /** Stops everything: no more transmits, timers or events after the `closed` states. */
  close(now: number): void {
    if (this.closed) return;
    this.closed = true;
    this.parts.transactions.clear();
    this.parts.checklist.clear();
    this.parts.transmits.clear();
    // RFC 8656 §7.3: deallocate (Refresh with LIFETIME 0); those requests are the last transmits.
    this.parts.router.close(now);
    this.parts.states.closeAll();
  }

  // --- outputs -------------------------------------------------------------------------------

  /** The next piece of I/O: a datagram to send, or a command for a stream to a TURN server. */
  pollTransmit(): Transmit | undefined {
    return this.parts.transmits.shift();
  }

  /** The next event for the application, or undefined. */
  pollEvent(): AgentEvent | undefined {
    return this.parts.events.shift();
  }

  /** When {@link handleTimeout} should be called next, or undefined for never. */
  pollTimeout(): Deadline {
    if (this.closed) return undefined;
    if (this.deadline === null) this.deadline = this.computeDeadline();
    return this.deadline;
  }

  /** Counters and the selected pairs, as plain data. */
  stats(): AgentStats {
    const { counters, registry, checklist, components, router, gathering } = this.parts;
    return {
      ...counters.snapshot(),
      localCandidates: registry.locals.length,
      remoteCandidates: registry.remotes.length,
      pairs: checklist.pairs.length,
      validPairs: checklist.pairs.filter((p) => p.valid).length,
      selectedPairs: components.selectedPairs().map(pairInfo),
      turn: router.stats(),
      stunServerRequestsSent: gathering.requestsSent,
    };
  }

  // --- the engine ----------------------------------------------------------------------------

  /** Runs everything that is due at `now`. Called after every input. */
  private update(now: number): void {
    this.deadline = null;
    if (this.closed) return;
    const { router, gathering, scheduler, nomination, freshness, judge } = this.parts;
    router.handleTimeout(now); // TURN: retransmissions, refreshes, allocation deadlines
    gathering.handleTimeout(now); // STUN servers: retransmissions, deadlines
    scheduler.pump(now); // checks: retransmissions, timeouts
    scheduler.pace(now); // a new check every Ta
    nomination.nominate(now);
    freshness.run(now);
    judge.judge(now);
  }

  private computeDeadline(): Deadline {
    const { router, gathering, transactions, scheduler, components } = this.parts;
    const { nomination, freshness, judge } = this.parts;
    let next = earliest(
      router.deadline(),
      gathering.deadline(),
      transactions.deadline(),
      scheduler.deadline(),
    );
    for (const record of components) {
      next = earliest(
        next,
        nomination.deadline(record),
        freshness.deadline(record),
        judge.deadline(record),
      );
    }
    return next;
  }

  /**
   * New credentials, new checks, candidates signalled again; selected pairs keep data flowing,
   * and their consent checks going with the old credentials (RFC 8445 §9, RFC 7675 §5.1).
   */
  private restartLocally(now: number): void {
    const { identity, transactions, checklist, registry, responder, judge } = this.parts;
    const { scheduler, dataPlane, components, states, events, gathering } = this.parts;
    components.restart(now, identity.current);
    identity.renewLocal();
    // Forget the peer's candidates and our pairs; the old selected pairs stay for data, with
    // the consent checks in flight on them.
    const kept = new Set([...components].flatMap((r) => (r.previous ? [r.previous] : [])));
    transactions.clear((entry) => entry.kind === "consent" && kept.has(entry.pair));
    checklist.clear();
    registry.clearRemotes();
    responder.clear();
    judge.remoteEnded = false;
    scheduler.reset();
    dataPlane.clear();
    for (const record of components) {
      if (record.previous !== undefined) dataPlane.validate(record.previous);
      states.set(record.component, "checking");
    }
    events.push({ type: "local-credentials", ...identity.localCredentials });
    registry.reannounce();
    gathering.announceDoneAgain();
  }

  private checkComponent(component: number): void {
    const { components } = this.parts.settings;
    if (!Number.isInteger(component) || component < 1 || component > components)
      throw new RangeError(`component ${component} is not in 1..${components}`);
  }
}
