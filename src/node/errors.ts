/** The errors of the Node driver. */
import { JingleIceError } from "../common/errors.js";

/**
 * No UDP socket could be bound on an address (every port of the range taken, or the address is
 * not ours); `cause` is the last error the OS gave.
 */
export class SocketBindError extends JingleIceError {
  override readonly name = "SocketBindError";
  /** The local IP address. */
  readonly address: string;

  constructor(address: string, range: string, options: { readonly cause?: unknown } = {}) {
    super(`could not bind UDP on ${address} (${range})`, options);
    this.address = address;
  }
}
