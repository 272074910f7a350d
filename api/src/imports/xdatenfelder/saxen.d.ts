// saxen ships without type declarations; this covers the part the XDatenfelder importer uses.
declare module 'saxen' {
  type Decode = (text: string) => string;
  export class Parser {
    constructor(options?: { proxy?: boolean });
    on(
      event: 'openTag',
      cb: (name: string, attrs: () => Record<string, string> | false, decode: Decode, selfClosing: boolean) => void,
    ): this;
    on(event: 'closeTag', cb: (name: string, decode: Decode, selfClosing: boolean) => void): this;
    on(event: 'text', cb: (text: string, decode: Decode) => void): this;
    on(event: 'cdata', cb: (text: string) => void): this;
    on(event: 'error' | 'warn', cb: (error: Error, getContext: () => { line: number; column: number }) => void): this;
    parse(xml: string): this;
  }
}
