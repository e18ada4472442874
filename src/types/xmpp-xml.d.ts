// The one function of @xmpp/xml the plugin uses (the package ships no type declarations).
declare module "@xmpp/xml" {
  /** Builds an xmpp.js element (an ltx Element of the class xmpp.js itself uses). */
  export function xml(
    name: string,
    attrs?: Readonly<Record<string, string>> | null,
    ...children: readonly unknown[]
  ): unknown;
}
