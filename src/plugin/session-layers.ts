/**
 * The layers a session puts over its ICE channel once a pair is selected: DTLS (XEP-0320,
 * `security.ts`) unless the session is plaintext, then SCTP for applications that need data
 * channels (RFC 8261, `data-channels.ts`). A layer that fails ends the session with the reason
 * the peer is told, and rejects with a {@link JingleSessionError}.
 */
import type { Reason } from "../jingle/model.js";
import type { DatagramChannel } from "../node/datagram-channel.js";
import { IceConnection, type IceConnectionOptions } from "../node/ice-connection.js";
import type { DtlsChannel } from "../node/dtls-channel.js";
import { SCTP_CLOSE_DEADLINE, type SessionDataChannels } from "./data-channels.js";
import { securityFailure, type SessionSecurity } from "./security.js";
import { JingleSessionError } from "./session-error.js";

/** A session's channel: DTLS-encrypted (the default), or plain datagrams when both sides asked. */
export type SessionChannel = DtlsChannel | DatagramChannel;

/** Ends the session and tells the peer why. */
type EndSession = (reason: Reason) => Promise<void>;

/**
 * The session's ICE connection, once the ICE options are known and (initiator of a data-channel
 * session) the data-channel variant is chosen. Sockets, DNS or options that fail end the session
 * with `failed-transport` (the peer is told rather than left waiting) and reject.
 */
export async function createConnection(
  context: { readonly ice: () => Promise<Omit<IceConnectionOptions, "role">> },
  dataChannels: SessionDataChannels | undefined,
  role: "controlling" | "controlled",
  end: EndSession,
): Promise<IceConnection> {
  try {
    const [options] = await Promise.all([context.ice(), dataChannels?.ready()]);
    return await IceConnection.create({ ...options, role });
  } catch (error) {
    const text = `ICE setup failed: ${(error as Error).message}`;
    await end({ condition: "failed-transport", text });
    throw new JingleSessionError(text, "failed-transport", { cause: error });
  }
}

/**
 * DTLS over `datagrams` once the peer's answer is in (`answered`: its setup decides our role),
 * or `datagrams` themselves for a plaintext session.
 */
export async function secureChannel(
  security: SessionSecurity | undefined,
  datagrams: DatagramChannel,
  answered: Promise<void>,
  end: EndSession,
): Promise<SessionChannel> {
  if (security === undefined) return datagrams;
  try {
    return await security.over(datagrams, answered);
  } catch (error) {
    const reason = securityFailure(error);
    await end(reason);
    throw new JingleSessionError(reason.text, "security-error", { cause: error });
  }
}

/** The SCTP association over the DTLS channel, for a data-channel session; resolves once up. */
export async function associateChannels(
  dataChannels: SessionDataChannels | undefined,
  security: SessionSecurity | undefined,
  end: EndSession,
): Promise<void> {
  const channel = security?.channel;
  if (dataChannels === undefined || security === undefined || channel === undefined) return;
  try {
    const association = await dataChannels.start(channel, security.role);
    // An ABORT (the peer's or ours) or a dead path (RFC 9260 §8.1) takes every channel with it:
    // the session is over too. A graceful SHUTDOWN from the peer comes with its
    // session-terminate, which ends the session with the peer's reason.
    association.once("close", (reason, detail) => {
      if (reason === "shutdown") return;
      const text = `SCTP association closed: ${reason}${detail ? ` (${detail})` : ""}`;
      // A peer's ABORT may be how it ends a finished session: libwebrtc's close() aborts, and
      // Conversations and StanzaJS close their peer connection just before their
      // session-terminate, so the ABORT overtakes it over XMPP. Its terminate, if it comes
      // within SCTP_CLOSE_DEADLINE, gives the reason.
      const fail = (): void => void end({ condition: "failed-transport", text });
      if (reason === "peer-abort") setTimeout(fail, SCTP_CLOSE_DEADLINE).unref();
      else fail();
    });
  } catch (error) {
    const text = (error as Error).message;
    await end({ condition: "failed-transport", text });
    throw new JingleSessionError(text, "failed-transport", { cause: error });
  }
}
