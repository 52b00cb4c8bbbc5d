// The parser's view of the lexer: one current significant token, one token of lookahead, and the
// comments passed on the way, held until the parser decides which node they belong to.

import type { Comment } from './ast';
import { Lexer, type Token } from './lexer';

/** The shared empty comment list: most nodes have no comments, and a 100,000-item label map
 *  should not pay for 400,000 empty arrays. Frozen, and typed readonly wherever it is stored. */
export const NO_COMMENTS: readonly Comment[] = Object.freeze([]);

export class TokenStream {
  readonly lexer: Lexer;
  /** The current significant (non-comment) token. */
  current: Token;
  /** The last significant token consumed; undefined before the first. */
  previous: Token | undefined;
  /** Comments passed since the parser last took them. */
  pending: Comment[] = [];
  /** Every comment in source order. */
  readonly comments: Comment[] = [];
  /** Tokens read ahead (comments included), not yet current. */
  private readonly ahead: Token[] = [];

  constructor(text: string) {
    this.lexer = new Lexer(text);
    this.current = this.pull();
  }

  /** Consumes the current token; returns it. */
  advance(): Token {
    const consumed = this.current;
    if (consumed.kind !== 'eof') this.previous = consumed;
    this.current = this.pull();
    return consumed;
  }

  /** The significant token after the current one, without consuming anything. */
  peek(): Token {
    for (let i = 0; ; i++) {
      if (i === this.ahead.length) this.ahead.push(this.lexer.next());
      const token = this.ahead[i] as Token;
      if (token.kind !== 'comment') return token;
    }
  }

  /** Hands over the pending comments. */
  takePending(): readonly Comment[] {
    if (this.pending.length === 0) return NO_COMMENTS;
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** End offset of the last consumed significant token (0 at the start). */
  get previousEnd(): number {
    return this.previous ? this.previous.offset + this.previous.length : 0;
  }

  private pull(): Token {
    for (;;) {
      const token = this.ahead.length > 0 ? (this.ahead.shift() as Token) : this.lexer.next();
      if (token.kind !== 'comment') return token;
      const comment: Comment = {
        offset: token.offset,
        length: token.length,
        text: token.text.replace(/\s+$/, ''),
        blankLineBefore: token.blankLineBefore,
        // At the very start of the text a comment is on its own line too.
        ownLine: token.newlineBefore || (this.previous === undefined && this.comments.length === 0),
      };
      this.pending.push(comment);
      this.comments.push(comment);
    }
  }
}
