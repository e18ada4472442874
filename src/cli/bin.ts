#!/usr/bin/env node
// The `jingle-ice` executable (package.json "bin").
import { main } from "./main.js";

const code = await main(process.argv.slice(2));
// The work is done: exit now rather than when the event loop drains. xmpp.js keeps a timer for
// every IQ it is still waiting for (say, a session-terminate to a peer that vanished), up to the
// IQ timeout, and nothing can cancel it from outside. Both streams are flushed first.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
