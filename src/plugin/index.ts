/**
 * The `@xmpp/client` plugin: Jingle ICE-UDP sessions whose transport yields a datagram channel.
 * @module
 */
export * from "./caps.js";
export * from "./extdisco.js";
export * from "./jingle-ice.js";
export * from "./session.js";
export type { XmppClient, IqContext } from "./xmpp.js";
export {
  NS_DATAGRAM,
  NS_DATA_CHANNELS,
  dataChannelApplication,
  datagramApplication,
  type JingleApplication,
  type TransportNeed,
} from "../jingle/application.js";
