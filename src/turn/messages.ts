/**
 * The messages a TURN client sends (RFC 8656): requests without their transaction id (the
 * transaction table gives each one its own, and signs it) and Send indications.
 */
import type { TransportAddress } from "../common/address.js";
import { attr } from "../stun/attribute-types.js";
import { StunMethod, TransportProtocol } from "../stun/constants.js";
import { encodeStunMessage, type StunMessage } from "../stun/message.js";

const NO_ID = new Uint8Array(12);

/** RFC 8656 §7.1: an Allocate for a UDP relay, asking for `lifetimeS` seconds. */
export function allocateRequest(lifetimeS: number): StunMessage {
  return {
    class: "request",
    method: StunMethod.Allocate,
    transactionId: NO_ID,
    attributes: [attr("REQUESTED-TRANSPORT", TransportProtocol.UDP), attr("LIFETIME", lifetimeS)],
  };
}

/** RFC 8656 §8: a Refresh for `lifetimeS` seconds (0 deletes the allocation, §7.3). */
export function refreshRequest(lifetimeS: number): StunMessage {
  return {
    class: "request",
    method: StunMethod.Refresh,
    transactionId: NO_ID,
    attributes: [attr("LIFETIME", lifetimeS)],
  };
}

/** RFC 8656 §9.1: a CreatePermission for the IP of `peer`. */
export function createPermissionRequest(peer: TransportAddress): StunMessage {
  return {
    class: "request",
    method: StunMethod.CreatePermission,
    transactionId: NO_ID,
    attributes: [attr("XOR-PEER-ADDRESS", peer)],
  };
}

/** RFC 8656 §12.1: a ChannelBind of `number` to `peer` (also its refresh, §12.3). */
export function channelBindRequest(number: number, peer: TransportAddress): StunMessage {
  return {
    class: "request",
    method: StunMethod.ChannelBind,
    transactionId: NO_ID,
    attributes: [attr("CHANNEL-NUMBER", number), attr("XOR-PEER-ADDRESS", peer)],
  };
}

/** RFC 8656 §11.1: a Send indication carrying `data` to `peer`. */
export function encodeSendIndication(
  transactionId: Uint8Array,
  peer: TransportAddress,
  data: Uint8Array,
): Uint8Array {
  return encodeStunMessage(
    {
      class: "indication",
      method: StunMethod.Send,
      transactionId,
      attributes: [attr("XOR-PEER-ADDRESS", peer), attr("DATA", data)],
    },
    { fingerprint: true },
  );
}
