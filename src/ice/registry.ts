/**
 * The candidates of one agent (RFC 8445 §5): our sockets (host and relayed candidates, the bases
 * checks leave from), every local candidate we know (server- and peer-reflexive ones too), the
 * peer's candidates, and the pairs they form in the check list (§6.1.2.2). Candidates are
 * announced to the application once gathering has started; with the relay-only policy only
 * relayed ones are announced and paired.
 */
import type { TransportAddress } from "../common/address.js";
import type { Outbox } from "../common/sans-io.js";
import { FoundationRegistry, sameAddress, udpCandidate, type LocalCandidate } from "./candidate.js";
import type { CheckList } from "./checklist.js";
import type { AgentCounters } from "./counters.js";
import type { Identity } from "./identity.js";
import type { CandidatePair } from "./pair.js";
import { candidatePriority, localPreference } from "./priority.js";
import type { AgentEvent, Candidate, CandidateType } from "./types.js";

/**
 * The limits the registry enforces on what the network makes it learn: the peer's candidates
 * (signalled and peer-reflexive, `maxRemoteCandidates`) and our peer-reflexive candidates
 * (learnt from XOR-MAPPED-ADDRESS, at most `maxPairs`: one per valid pair is all there can be).
 */
export interface RegistryLimits {
  readonly maxRemoteCandidates: number;
  readonly maxPairs: number;
}

/** Owns our sockets, our local candidates, the peer's candidates and their foundations. */
export class CandidateRegistry {
  /** Our sockets: host candidates and relayed candidates (their bases). */
  readonly sockets: LocalCandidate[] = [];
  /** Every local candidate: the sockets', server-reflexive and peer-reflexive ones. */
  readonly locals: LocalCandidate[] = [];
  private remoteList: Candidate[] = [];
  private readonly foundations = new FoundationRegistry();
  private prflxCount = 0;
  /** Our peer-reflexive candidates in `locals` (at most `maxPairs`). */
  private localPrflx = 0;
  private announcing = false;

  constructor(
    private readonly limits: RegistryLimits,
    private readonly relayOnly: boolean,
    private readonly checklist: CheckList,
    private readonly identity: Identity,
    private readonly events: Outbox<AgentEvent>,
    private readonly counters: AgentCounters,
  ) {}

  /** The peer's candidates, signalled or learnt from its checks. */
  get remotes(): readonly Candidate[] {
    return this.remoteList;
  }

  /** With the relay-only policy, only relayed candidates are offered and checked. */
  usable(local: LocalCandidate): boolean {
    return !this.relayOnly || local.candidate.type === "relay";
  }

  /** The host or relayed socket bound at `local` (the driver passes our own objects back). */
  socketFor(local: TransportAddress): LocalCandidate | undefined {
    const sockets = this.sockets;
    for (let i = 0; i < sockets.length; i++) if (sockets[i]!.base === local) return sockets[i];
    return sockets.find((s) => sameAddress(s.base, local));
  }

  /** Gathering started: announces every usable socket now, and later ones as they come. */
  announceSockets(): void {
    this.announcing = true;
    for (const socket of this.sockets) {
      if (this.usable(socket))
        this.events.push({ type: "local-candidate", candidate: socket.candidate });
    }
  }

  /** After an ICE restart: every candidate but peer-reflexive ones is signalled again. */
  reannounce(): void {
    for (const local of this.locals) {
      if (local.candidate.type !== "prflx" && this.usable(local))
        this.events.push({ type: "local-candidate", candidate: local.candidate });
    }
  }

  /** A host candidate for a bound socket (RFC 8445 §5.1.1.1); ignored when already known. */
  addHost(component: number, address: TransportAddress): void {
    if (this.hasSocket(component, address)) return;
    const index = this.sockets.filter((h) => h.candidate.component === component).length;
    const candidate = this.candidate(
      "host",
      component,
      address,
      localPreference(address.family, index),
    );
    this.addSocket({ candidate, base: address });
  }

  /**
   * A relayed candidate (RFC 8445 §5.1.1.2): `relayed` becomes one more socket; `mapped` is its
   * related address, `server` the relay (foundations differ per server).
   */
  addRelayed(
    component: number,
    relayed: TransportAddress,
    mapped: TransportAddress,
    server: TransportAddress,
  ): void {
    if (this.hasSocket(component, relayed)) return;
    const index = this.sockets.filter(
      (h) => h.candidate.component === component && h.candidate.type === "relay",
    ).length;
    const preference = localPreference(relayed.family, index);
    const candidate = this.candidate("relay", component, relayed, preference, server, mapped);
    this.addSocket({ candidate, base: relayed });
  }

  /**
   * A server-reflexive candidate for `host` (RFC 8445 §5.1.1.2), from a STUN Binding or a TURN
   * Allocate response, announced at once; skipped when it equals the host address or a
   * candidate we already have.
   */
  addServerReflexive(
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
    const preference = (host.candidate.priority >>> 8) & 0xffff;
    const candidate = this.candidate(
      "srflx",
      component,
      mapped,
      preference,
      server,
      host.base,
      host.base,
    );
    this.locals.push({ candidate, base: host.base });
    this.events.push({ type: "local-candidate", candidate });
  }

  /**
   * The local candidate the peer saw for a successful check on `pair`: one we know, or a new
   * peer-reflexive one (RFC 8445 §7.2.5.3.1), which is not signalled. Beyond `maxPairs`
   * peer-reflexive candidates (a peer answering with ever new addresses), the pair's own local
   * candidate stands in for it.
   */
  localFor(pair: CandidatePair, mapped: TransportAddress): LocalCandidate {
    const component = pair.component;
    const known = this.locals.find(
      (l) =>
        l.candidate.component === component &&
        sameAddress(l.candidate.address, mapped) &&
        sameAddress(l.base, pair.local.base),
    );
    if (known !== undefined) return known;
    if (this.localPrflx >= this.limits.maxPairs) return pair.local;
    this.localPrflx++;
    const preference = (pair.local.candidate.priority >>> 8) & 0xffff;
    const base = pair.local.base;
    const candidate = this.candidate("prflx", component, mapped, preference, undefined, base, base);
    const local: LocalCandidate = { candidate, base };
    this.locals.push(local);
    return local;
  }

  /** A relayed candidate is gone (its allocation failed): its pairs fail, it is no socket any more. */
  dropRelayed(relayed: TransportAddress): void {
    for (const pair of this.checklist.pairs) {
      if (sameAddress(pair.local.base, relayed) && pair.state !== "succeeded")
        pair.state = "failed";
    }
    const index = this.sockets.findIndex((s) => sameAddress(s.base, relayed));
    if (index >= 0) this.sockets.splice(index, 1);
  }

  /** The peer's candidate of `component` at `address`, if known. */
  findRemote(component: number, address: TransportAddress): Candidate | undefined {
    return this.remoteList.find(
      (r) => r.component === component && sameAddress(r.address, address),
    );
  }

  /**
   * A signalled candidate (already checked). Returns false when it is ignored (and counted): a
   * duplicate, or over `maxRemoteCandidates`. A signalled candidate for an address we learnt
   * from a check replaces the peer-reflexive one in place: pairs keep their state, so a selected
   * pair does not flap (RFC 8445 §7.3.1.3).
   */
  addRemote(candidate: Candidate): boolean {
    const known = this.findRemote(candidate.component, candidate.address);
    if (known !== undefined) {
      if (known.type !== "prflx") return this.counters.ignoreRemote("duplicate");
      this.replaceRemote(known, candidate);
      return true;
    }
    if (this.remoteList.length >= this.limits.maxRemoteCandidates)
      return this.counters.ignoreRemote("cap");
    this.remoteList.push(candidate);
    for (const local of this.sockets) {
      if (local.candidate.component === candidate.component && this.usable(local))
        this.formPair(local, candidate);
    }
    return true;
  }

  /**
   * A peer-reflexive remote candidate learnt from a check from `source` (RFC 8445 §7.3.1.3),
   * with the priority the check carried; undefined (counted) over `maxRemoteCandidates`.
   */
  learnRemote(
    component: number,
    source: TransportAddress,
    priority: number,
  ): Candidate | undefined {
    if (this.remoteList.length >= this.limits.maxRemoteCandidates) {
      this.counters.ignoreRemote("cap");
      return undefined;
    }
    const remote = udpCandidate("prflx", component, `prflx${++this.prflxCount}`, priority, source);
    this.remoteList.push(remote);
    return remote;
  }

  /**
   * Forgets the peer's candidates and our peer-reflexive candidates (ICE restart: the new
   * generation learns its own; pairs kept for data keep theirs).
   */
  clearRemotes(): void {
    this.remoteList = [];
    this.locals.splice(
      0,
      this.locals.length,
      ...this.locals.filter((l) => l.candidate.type !== "prflx"),
    );
    this.localPrflx = 0;
  }

  private hasSocket(component: number, address: TransportAddress): boolean {
    return this.sockets.some(
      (h) => h.candidate.component === component && sameAddress(h.base, address),
    );
  }

  private addSocket(local: LocalCandidate): void {
    this.sockets.push(local);
    this.locals.push(local);
    if (this.announcing && this.usable(local)) {
      this.events.push({ type: "local-candidate", candidate: local.candidate });
      for (const remote of this.remoteList) this.formPair(local, remote);
    }
  }

  private formPair(local: LocalCandidate, remote: Candidate): void {
    if (local.base.family !== remote.address.family) return;
    const result = this.checklist.add(local, remote, this.identity.role);
    if (result.kind === "cap") this.counters.drop("pair-cap");
  }

  private replaceRemote(known: Candidate, signalled: Candidate): void {
    this.remoteList = this.remoteList.map((r) => (r === known ? signalled : r));
    for (const pair of this.checklist.pairs) {
      if (pair.remote === known) {
        pair.remote = signalled;
        pair.updatePriority(this.identity.role);
      }
    }
    this.checklist.resort();
  }

  /**
   * One of our candidates: its foundation from (type, base IP, server) (RFC 8445 §5.1.1.3) and
   * its priority from type, local preference and component (§5.1.2.1).
   */
  private candidate(
    type: CandidateType,
    component: number,
    address: TransportAddress,
    preference: number,
    server?: TransportAddress,
    related?: TransportAddress,
    base: TransportAddress = address,
  ): Candidate {
    const foundation = this.foundations.foundationFor(type, base.address, server);
    const priority = candidatePriority(type, preference, component);
    return udpCandidate(type, component, foundation, priority, address, related);
  }
}
