/**
 * The data-channel side of a session (docs/plugin.md, "Data channels"): our SCTP element for
 * every transport we send (XEP-0343 `<sctpmap/>` or Conversations' wrapper), the peer's as it
 * arrives, and the {@link SctpAssociation} over the session's DTLS channel once DTLS is up —
 * SCTP over DTLS (RFC 8261), stream ids by DTLS role (RFC 8832 §6).
 */
import { EventEmitter } from "node:events";
import { JingleIceError } from "../common/errors.js";
import type { JingleApplication } from "../jingle/application.js";
import {
  answerVariant,
  localSctp,
  pickVariant,
  sctpParameters,
} from "../jingle/data-channel-setup.js";
import { bundleOf } from "../jingle/grouping.js";
import {
  NS_JINGLE_DTLS_SCTP,
  NS_JINGLE_WEBRTC_DATACHANNEL,
  type ContentGroup,
  type IceUdpTransport,
  type Reason,
  type SctpTransport,
  type SctpVariant,
} from "../jingle/model.js";
import type { DtlsRole } from "../jingle/dtls-setup.js";
import type { DataChannel } from "../node/data-channel.js";
import type { DtlsChannel } from "../node/dtls-channel.js";
import { SctpAssociation } from "../node/sctp-association.js";
import type { ChannelInit } from "../sctp/data-channel-types.js";

/** The largest message we take, announced as `max-message-size` (RFC 8841 §6; browsers' value). */
export const LOCAL_MAX_MESSAGE_SIZE = 256 * 1024;
/** The most we send in one message, whatever the peer announces (a 0 means any size). */
export const MAX_SEND_MESSAGE_SIZE = 16 * 1024 * 1024;
/** How long a graceful SCTP shutdown may take when the session ends, before ABORT (ms). */
export const SCTP_CLOSE_DEADLINE = 2000;

/** Events of {@link SessionDataChannels}. */
export interface SessionDataChannelsEvents {
  /** The peer opened a channel (W3C `datachannel`). */
  datachannel: [channel: DataChannel];
}

export class SessionDataChannels extends EventEmitter<SessionDataChannelsEvents> {
  private variantValue: SctpVariant | undefined;
  private remote: SctpTransport | undefined;
  private associationValue: SctpAssociation | undefined;

  constructor(
    /** The variant, or a function that picks it (the initiator asks the peer's disco#info). */
    private readonly choose: SctpVariant | (() => Promise<SctpVariant>),
  ) {
    super();
    if (typeof choose === "string") this.variantValue = choose;
  }

  /** The variant in use, once chosen ({@link ready}). */
  get variant(): SctpVariant | undefined {
    return this.variantValue;
  }

  /** The peer's SCTP numbers as learnt so far (the association uses them once DTLS is up). */
  get remoteSctp(): SctpTransport | undefined {
    return this.remote;
  }

  /** The association, once DTLS is up. */
  get association(): SctpAssociation | undefined {
    return this.associationValue;
  }

  /** Chooses the variant, if that is still to do. Never rejects (falls back to XEP-0343). */
  async ready(): Promise<void> {
    if (this.variantValue !== undefined || typeof this.choose === "string") return;
    this.variantValue = await this.choose().catch(() => "sctpmap" as const);
  }

  /**
   * Our SCTP element on a transport we send: always for Conversations' variant (its
   * transport-info repeats the wrapper), only in the opening stanza for XEP-0343.
   */
  decorate(transport: IceUdpTransport, opening: boolean): IceUdpTransport {
    const variant = this.variantValue ?? "sctpmap";
    if (variant === "sctpmap" && !opening) return transport;
    return { ...transport, sctp: localSctp(variant, LOCAL_MAX_MESSAGE_SIZE) };
  }

  /** The BUNDLE group Conversations sends and expects with its variant (XEP-0338). */
  groups(contentName: string): ContentGroup[] | undefined {
    return this.variantValue === "webrtc-datachannel" ? [bundleOf(contentName)] : undefined;
  }

  /** Takes the peer's SCTP numbers from a transport of theirs that carries them. */
  learn(transport: IceUdpTransport): void {
    const sctp = transport.sctp;
    if (sctp === undefined) return;
    // A transport-info of Conversations may repeat the wrapper without its attributes.
    this.remote = {
      ...this.remote,
      ...sctp,
      ...(sctp.port === undefined && this.remote?.port !== undefined && { port: this.remote.port }),
      ...(sctp.maxMessageSize === undefined &&
        this.remote?.maxMessageSize !== undefined && {
          maxMessageSize: this.remote.maxMessageSize,
        }),
    };
  }

  /**
   * Runs SCTP over the DTLS channel (RFC 8261) and resolves once the association is
   * established; `role` is our DTLS role, which picks our stream ids (RFC 8832 §6).
   */
  async start(channel: DtlsChannel, role: DtlsRole): Promise<SctpAssociation> {
    const association = new SctpAssociation(channel, {
      role,
      ...sctpParameters(this.remote, MAX_SEND_MESSAGE_SIZE),
      maxMessageSize: LOCAL_MAX_MESSAGE_SIZE,
    });
    this.associationValue = association;
    association.on("datachannel", (dc) => this.emit("datachannel", dc));
    await new Promise<void>((resolve, reject) => {
      association.once("open", resolve);
      association.once("close", (reason, detail) =>
        reject(new Error(`SCTP association closed: ${reason}${detail ? ` (${detail})` : ""}`)),
      );
    });
    return association;
  }

  /** Creates a channel on the association. */
  createDataChannel(label: string, init: ChannelInit): DataChannel {
    const association = this.associationValue;
    if (association === undefined)
      throw new Error("no SCTP association yet: call after connect() or accept() resolved");
    return association.createDataChannel(label, init);
  }

  /**
   * Shuts the association down (RFC 9260 §9.2) when the session ends, within
   * {@link SCTP_CLOSE_DEADLINE}; then ABORT (§9.1).
   */
  async close(): Promise<void> {
    const association = this.associationValue;
    if (association === undefined || association.state === "closed") return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), SCTP_CLOSE_DEADLINE);
    });
    const outcome = await Promise.race([
      association.close().then(() => "closed" as const),
      deadline,
    ]);
    clearTimeout(timer);
    if (outcome === "late") association.abort("session ended");
  }
}

/**
 * The disco#info features for data channels: both transports (XEP-0343's and Conversations')
 * when an application needs SCTP and DTLS is on (RFC 8261: SCTP runs over DTLS only).
 */
export function dataChannelFeatures(
  applications: readonly JingleApplication[],
  dtls: boolean,
): string[] {
  return dtls && applications.some((a) => a.transport === "sctp")
    ? [NS_JINGLE_DTLS_SCTP, NS_JINGLE_WEBRTC_DATACHANNEL]
    : [];
}

/**
 * The data channels of a session we initiate for `application`, or undefined when it needs
 * none. `auto` asks `features` (the peer's disco#info) for the variant.
 * @throws {JingleIceError} when the application needs SCTP and DTLS is off.
 */
export function initiatorDataChannels(
  application: JingleApplication,
  dtls: boolean,
  variant: SctpVariant | "auto",
  features: () => Promise<readonly string[] | undefined>,
): SessionDataChannels | undefined {
  if (application.transport !== "sctp") return undefined;
  if (!dtls)
    throw new JingleIceError(
      `application ${application.namespace} needs data channels, i.e. DTLS (dtls: false)`,
    );
  return new SessionDataChannels(variant !== "auto" ? variant : () => features().then(pickVariant));
}

/**
 * The data channels of an incoming session for `application`, in the offer's variant; the
 * reason to refuse it when the offer carries no usable SCTP; undefined when it needs none.
 */
export function responderDataChannels(
  application: JingleApplication | undefined,
  offered: SctpTransport | undefined,
): SessionDataChannels | Reason | undefined {
  if (application?.transport !== "sctp") return undefined;
  const variant = answerVariant(offered);
  return typeof variant === "string" ? new SessionDataChannels(variant) : variant;
}
