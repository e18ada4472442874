// The part of @xmpp/client the CLI uses (the package ships no type declarations).
declare module "@xmpp/client" {
  export interface ClientOptions {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
  }
  /** An @xmpp/client instance; see src/plugin/xmpp.ts for the part the plugin relies on. */
  export interface Client {
    readonly jid?: { toString(): string } | null;
    readonly iqCallee: {
      set(
        ns: string,
        name: string,
        handler: (context: { stanza: unknown; element: unknown }) => unknown,
      ): void;
      get(
        ns: string,
        name: string,
        handler: (context: { stanza: unknown; element: unknown }) => unknown,
      ): void;
    };
    readonly iqCaller: { request(stanza: unknown, timeout?: number): Promise<unknown> };
    send(stanza: unknown): Promise<unknown>;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    on(event: string, listener: (...args: never[]) => void): unknown;
  }
  export function client(options: ClientOptions): Client;
}
