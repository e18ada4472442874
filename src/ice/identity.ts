/**
 * Who the agent is to its peer: its role and tie-breaker (RFC 8445 §6.1.1, §7.3.1.1), its
 * ufrag and password, and the peer's (§5.3, §7.2.2); new local credentials on an ICE restart
 * (§9). A role change re-prioritises the check list and is told to the application.
 */
import { toHex } from "../common/bytes.js";
import type { Outbox } from "../common/sans-io.js";
import type { Rng } from "../common/rng.js";
import { shortTermKey } from "../stun/credentials.js";
import type { CheckList } from "./checklist.js";
import { createPassword, createTieBreaker, createUfrag } from "./credentials.js";
import type { AgentEvent, AgentOptions, IceRole } from "./types.js";

/**
 * The credentials of one ICE generation (between two restarts), as a pair of that generation
 * uses them: for our checks on it and for the peer's checks on it (RFC 8445 §7.2.2, §7.3).
 */
export interface PairCredentials {
  /** USERNAME of our checks: `theirs:ours`. */
  readonly checkUsername: string;
  /** The peer's password's key: our checks are signed with it, and its answers verified. */
  readonly remoteKey: Uint8Array;
  /** Our ufrag: the USERNAME of the peer's checks starts with `ufrag:`. */
  readonly ufrag: string;
  /** Our password's key: the peer's checks are verified with it, and our answers signed. */
  readonly localKey: Uint8Array;
}

/** Owns the role, the tie-breaker and both sides' credentials. */
export class Identity {
  private roleValue: IceRole;
  readonly tieBreaker: bigint;
  private ufrag: string;
  private pwd: string;
  private localKeyValue: Uint8Array;
  private remoteUfrag: string | undefined;
  private remoteKeyValue: Uint8Array | undefined;

  constructor(
    options: Pick<AgentOptions, "role" | "tieBreaker" | "ufrag" | "pwd">,
    private readonly rng: Rng,
    private readonly checklist: CheckList,
    private readonly events: Outbox<AgentEvent>,
  ) {
    this.roleValue = options.role;
    this.tieBreaker = options.tieBreaker ?? createTieBreaker(rng);
    this.ufrag = options.ufrag ?? createUfrag(rng);
    this.pwd = options.pwd ?? createPassword(rng);
    this.localKeyValue = shortTermKey(this.pwd, "none");
  }

  get role(): IceRole {
    return this.roleValue;
  }

  /** Our ufrag and password, to signal to the peer. */
  get localCredentials(): { readonly ufrag: string; readonly pwd: string } {
    return { ufrag: this.ufrag, pwd: this.pwd };
  }

  /** Our password's key: checks to us are signed with it, and our answers. */
  get localKey(): Uint8Array {
    return this.localKeyValue;
  }

  /** The peer's password's key, once signalled: our checks are signed with it. */
  get remoteKey(): Uint8Array | undefined {
    return this.remoteKeyValue;
  }

  /** USERNAME of our checks (RFC 8445 §7.2.2): `theirs:ours`. */
  get checkUsername(): string {
    return `${this.remoteUfrag}:${this.ufrag}`;
  }

  /** This generation's credentials, once the peer's are known. */
  get current(): PairCredentials | undefined {
    if (this.remoteKeyValue === undefined) return undefined;
    return {
      checkUsername: this.checkUsername,
      remoteKey: this.remoteKeyValue,
      ufrag: this.ufrag,
      localKey: this.localKeyValue,
    };
  }

  /** Takes a new role (signalling, or a role conflict): pair priorities follow, the app is told. */
  switchRole(role: IceRole): void {
    this.roleValue = role;
    this.checklist.setRole(role);
    this.events.push({ type: "role", role });
  }

  /**
   * Stores the peer's credentials. Returns true when they differ from ones already known: the
   * peer restarted ICE (RFC 8445 §9). The caller restarts before storing them.
   */
  peerRestarted(ufrag: string, pwd: string): boolean {
    return (
      this.remoteUfrag !== undefined &&
      (this.remoteUfrag !== ufrag ||
        toHex(shortTermKey(pwd, "none")) !== toHex(this.remoteKeyValue!))
    );
  }

  setRemote(ufrag: string, pwd: string): void {
    this.remoteUfrag = ufrag;
    this.remoteKeyValue = shortTermKey(pwd, "none");
  }

  /** Forgets the peer's credentials (we restart: the peer's new ones will follow). */
  clearRemote(): void {
    this.remoteUfrag = undefined;
    this.remoteKeyValue = undefined;
  }

  /** New local credentials (ICE restart); the caller signals them once the checks are reset. */
  renewLocal(): void {
    this.ufrag = createUfrag(this.rng);
    this.pwd = createPassword(this.rng);
    this.localKeyValue = shortTermKey(this.pwd, "none");
  }
}
