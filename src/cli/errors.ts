/** The errors of the `jingle-ice` command. */
import { JingleIceError } from "../common/errors.js";

/** A command-line mistake: printed with the usage, exit status 2. */
export class UsageError extends JingleIceError {
  override readonly name = "UsageError";
}
