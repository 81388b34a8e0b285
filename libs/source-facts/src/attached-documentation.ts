import ts from 'typescript';

/** A comment that documents the declaration after it. */
export interface AttachedDocumentation {
  /** `jsdoc`: a `/** … *\/` block; `comment`: a plain line or block comment right above it. */
  kind: 'jsdoc' | 'comment';
  /** Offsets of the comment in the file (for a run of line comments: from the first to the last). */
  pos: number;
  end: number;
  text: string;
}

interface CommentSpan {
  pos: number;
  end: number;
  multiLine: boolean;
}

/**
 * Tool directives, not documentation: ESLint, TypeScript, Prettier, Biome,
 * coverage tools, bundler hints, regions. A doc comment above them still
 * documents the declaration below them.
 */
const DIRECTIVE =
  /^(eslint(-disable|-enable|-env)?\b|globals?\s|exported\s|@ts-|ts-(ignore|expect-error|nocheck)\b|prettier-ignore\b|biome-ignore\b|istanbul\b|c8\b|v8\b|node:coverage\b|tslint:|jshint\b|jscs:|#?(end)?region\b|noinspection\b|deno-(lint|fmt)-ignore\b|oxlint-|@vite-ignore\b|webpack[A-Z]|[#@]__(PURE|NO_SIDE_EFFECTS)__|<reference\b|<amd-module\b|@jsx\b|@jsxImportSource\b|@flow\b|@vitest-environment\b|@jest-environment\b|stryker\b|cspell:|spell-?checker:|nosonar\b|falls? ?through\b|type-coverage:)/i;

/** File-level JSDoc (a licence or module header) is not a declaration's documentation. */
const FILE_HEADER_TAG = /@(license|preserve|copyright|module|file|fileoverview|overview|packageDocumentation)\b/;

function bodyOf(comment: string): string {
  const inner = comment.startsWith('//') ? comment.slice(2) : comment.slice(2, comment.endsWith('*/') ? -2 : undefined);
  return inner.replace(/^[\s/*!]+/, '').replace(/[\s*]+$/, '');
}

/** `// eslint-disable-next-line`, `/* istanbul ignore next *\/`, `// @ts-expect-error` …: tells a tool something. */
export function isDirectiveComment(comment: string): boolean {
  return DIRECTIVE.test(bodyOf(comment));
}

/** `// -----------`, `/* *\/`: no words; `// TODO: …`: a note to maintainers, not documentation. */
function isDecorative(comment: string): boolean {
  const body = bodyOf(comment);
  return !/[\p{L}\p{N}]/u.test(body) || /^(TODO|FIXME|XXX|HACK)\b/.test(body);
}

export function isJsDocBlock(comment: string): boolean {
  return comment.startsWith('/**') && !comment.startsWith('/**/') && comment.length >= 5;
}

/**
 * Where the declaration's own syntax begins: after its decorators and
 * modifiers (`@Injectable() export default class` → `class`).
 */
function headOf(node: ts.Node, source: ts.SourceFile): number {
  const modifiers = (node as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  return modifiers?.length ? modifiers.end : node.getStart(source);
}

/**
 * Comments between the previous token and the declaration's own syntax:
 * its leading comments and any among its decorators and modifiers.
 */
function commentsBefore(node: ts.Node, source: ts.SourceFile): CommentSpan[] {
  const head = headOf(node, source);
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, source.languageVariant, source.text, undefined, node.getFullStart());
  const found: CommentSpan[] = [];
  // A comment on the line where the previous statement ends belongs to that statement.
  const fullStart = node.getFullStart();
  const previousLineEnd = fullStart === 0 ? 0 : source.text.indexOf('\n', fullStart);
  for (;;) {
    const token = scanner.scan();
    if (token === ts.SyntaxKind.EndOfFileToken) break;
    if (token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) {
      const pos = scanner.getTokenStart();
      if (fullStart === 0 || previousLineEnd === -1 || pos > previousLineEnd) found.push({ pos, end: scanner.getTokenEnd(), multiLine: token === ts.SyntaxKind.MultiLineCommentTrivia });
      continue;
    }
    if (token === ts.SyntaxKind.WhitespaceTrivia || token === ts.SyntaxKind.NewLineTrivia || token === ts.SyntaxKind.ShebangTrivia) continue;
    // A decorator or modifier token: comments may follow it; the declaration's keyword ends the search.
    if (scanner.getTokenStart() >= head) break;
  }
  return found;
}

/**
 * The comment that documents `node` (a declaration statement), as an
 * editor and a reader see it:
 * - the nearest JSDoc block before it, even with directives
 *   (`// eslint-disable-next-line`, `// @ts-expect-error`), other comments
 *   or decorators in between — but not a file header (`@license`, `@module` …);
 * - otherwise a plain comment right above it (no blank line between, directives
 *   skipped), which a generator must not duplicate either.
 */
export function attachedDocumentation(node: ts.Node, source: ts.SourceFile): AttachedDocumentation | undefined {
  const text = source.text;
  const comments = commentsBefore(node, source);
  for (let i = comments.length - 1; i >= 0; i -= 1) {
    const c = comments[i];
    const body = text.slice(c.pos, c.end);
    if (c.multiLine && isJsDocBlock(body) && !FILE_HEADER_TAG.test(body)) return { kind: 'jsdoc', pos: c.pos, end: c.end, text: body };
  }
  // No JSDoc: a plain comment directly above (a run of line comments counts as one).
  let cursor = headOf(node, source);
  let run: CommentSpan[] = [];
  for (let i = comments.length - 1; i >= 0; i -= 1) {
    const c = comments[i];
    const between = text.slice(c.end, cursor);
    if (/\n[ \t]*\r?\n/.test(between)) break;
    cursor = c.pos;
    const body = text.slice(c.pos, c.end);
    if (isDirectiveComment(body) || isDecorative(body)) {
      if (run.length) break;
      continue;
    }
    run = [c, ...run];
  }
  if (run.length === 0) return undefined;
  const pos = run[0].pos;
  const end = run[run.length - 1].end;
  return { kind: 'comment', pos, end, text: text.slice(pos, end) };
}

/**
 * Where a new doc comment for `node` goes: above the tool directives
 * directly over it (`// eslint-disable-next-line` must stay on the line
 * before the code it disables), else right before it.
 */
export function docCommentInsertionPoint(node: ts.Node, source: ts.SourceFile): number {
  const text = source.text;
  const comments = commentsBefore(node, source).filter((c) => c.end <= node.getStart(source));
  let position = node.getStart(source);
  for (let i = comments.length - 1; i >= 0; i -= 1) {
    const c = comments[i];
    if (/\n[ \t]*\r?\n/.test(text.slice(c.end, position)) || !isDirectiveComment(text.slice(c.pos, c.end))) break;
    position = c.pos;
  }
  return position;
}
