/** The `jingle-ice` usage texts, one per command (`jingle-ice <command> --help`). */

const xmppOptions = `  XMPP account (flags, or XMPP_SERVICE, XMPP_JID and XMPP_PASSWORD in the environment):
    --service URI          xmpp://host:port, xmpps://…, ws://…
    --jid JID              our JID (user@domain or user@domain/resource)
    --password-file FILE   the password, first line of FILE (or XMPP_PASSWORD; --password P works
                           too but shows the password to everyone who can list processes)
    --login-timeout MS     give up when not online within MS (default 20000)
    --offline-timeout MS   end sessions when the XMPP connection stays lost for MS (default
                           60000; the channel carries data meanwhile)
  ICE:
    --bind IP              gather on this address only (repeatable)
    --stun HOST:PORT       a STUN server (repeatable)
    --turn HOST:PORT       a TURN server (repeatable), with --turn-user U and --turn-pass-file FILE
                           (or TURN_PASSWORD); --turn-transport udp|tcp|tls
    --relay-only           offer relayed candidates only
    --ice-servers auto     ask our XMPP server for STUN/TURN (XEP-0215)
    --no-dtls              plaintext sessions (only with peers that offer no DTLS either)
  --json                   progress as JSON lines on stdout (default: text on stderr)
  --help                   this text`;

export const callUsage = `usage: jingle-ice call <full-jid> [options]
Opens a Jingle session with <full-jid>, reports the selected pair and DTLS, sends pings,
terminates. Exits 0 only when the channel opened and every ping was answered.
  --pings N                pings to send (default 5)
  --interval MS            wait MS between pings (default 0); the call ends early, exit 1, when
                           the session ends under the pings
  --timeout MS             give up when the channel is not open within MS (default 30000)
${xmppOptions}`;

export const answerUsage = `usage: jingle-ice answer (--allow JID... | --allow-anyone) [options]
Accepts Jingle sessions, answers "ping <n>" with "pong <n>" and echoes other datagrams.
Candidates reveal this machine's addresses: it answers only the JIDs you allow.
  --allow JID              accept sessions from this bare or full JID (repeatable)
  --allow-anyone           accept sessions from anyone
  --once                   exit after the first session ends
${xmppOptions}`;

export const sendUsage = `usage: jingle-ice send <full-jid> <path> [options]
Sends the file at <path> with XEP-0234 over a data channel; reports progress and the hashes.
Exits 0 only when the receiver verified the file; 1 when it failed or was declined.
  --name NAME              the name offered (default: the path's base name)
  --media-type TYPE        the media type offered
  --variant V              auto (default: ask the peer), sctpmap (XEP-0343, StanzaJS) or
                           webrtc-datachannel (Conversations)
${xmppOptions}`;

export const receiveUsage = `usage: jingle-ice receive --dir DIR (--allow JID... | --allow-anyone) [options]
Receives files into DIR under the sender's name made safe (never overwriting: "name (1).ext").
A file appears only once its hash is verified.
  --dir DIR                where files go
  --allow JID              accept files from this bare or full JID (repeatable)
  --allow-anyone           accept files from anyone
  --max-size BYTES         decline larger files
  --once                   exit after the first transfer: 0 when it arrived verified, else 1
${xmppOptions}`;

export const peerUsage = `usage: jingle-ice peer [options]
Drives one ICE agent over a JSON-lines protocol on stdin/stdout (docs/cli.md).
  --role controlling|controlled   (default controlling)
  --bind IP                gather on this address only (repeatable)
  --stun IP:PORT           a STUN server (repeatable)
  --turn IP:PORT           a TURN server (repeatable), with --turn-user U and --turn-pass-file
                           FILE (or TURN_PASSWORD; --turn-pass P too); --turn-transport udp|tcp|tls,
                           --turn-ca CA.pem
  --relay-only             offer relayed candidates only (needs --turn)
  --components N           1 or 2
  --echo                   echo datagrams back as "echo:<data>"
  --verbose                log to stderr
  --help                   this text`;

export const usage = `usage: jingle-ice call <full-jid> [options]    open a session, ping, terminate
       jingle-ice answer --allow JID [options]   accept sessions and echo
       jingle-ice send <full-jid> <path>         send a file
       jingle-ice receive --dir D --allow JID    receive files
       jingle-ice peer [options]                 an ICE agent over JSON lines
       jingle-ice --version
Run 'jingle-ice <command> --help' for a command's options.`;
