/**
 * Typed errors. Every user-facing failure is one of these, carrying the place it concerns (a file and
 * field, a graph node and op, a config path) and a hint saying what to do. Each layer builds its
 * messages in one place; tests assert on the `code` and the structured fields, not on copied strings.
 */

/** Base class: `code` is a stable machine-readable identifier; `hint` says what the user should do. */
export class HeatcheckError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(options.hint ? `${message}\n  hint: ${options.hint}` : message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** A config file or flag is invalid. `file` and `path` (e.g. `saliency.methods[2]`) locate the field. */
export class ConfigError extends HeatcheckError {
  readonly file: string | undefined;
  readonly path: string | undefined;

  constructor(
    code: string,
    message: string,
    where: { file?: string; path?: string } = {},
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, prefix([where.file, where.path], ' › ') + message, options);
    this.file = where.file;
    this.path = where.path;
  }
}

/** Input data is unreadable or inconsistent. `file` is the offending file, `field` the tag/column/row. */
export class DataError extends HeatcheckError {
  readonly file: string | undefined;
  readonly field: string | undefined;

  constructor(
    code: string,
    message: string,
    where: { file?: string; field?: string } = {},
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, prefix([where.file, where.field], ' › ') + message, options);
    this.file = where.file;
    this.field = where.field;
  }
}

/** A model cannot be used: unsupported op, bad input shape, unknown layer. Names the node and op. */
export class ModelError extends HeatcheckError {
  readonly node: string | undefined;
  readonly op: string | undefined;

  constructor(
    code: string,
    message: string,
    where: { node?: string; op?: string } = {},
    options: { hint?: string; cause?: unknown } = {},
  ) {
    const place = where.node || where.op ? `node ${where.node ?? '?'} (${where.op ?? '?'}): ` : '';
    super(code, place + message, options);
    this.node = where.node;
    this.op = where.op;
  }
}

/** A library function or CLI command was called wrongly (bad arguments, bad combination of options). */
export class UsageError extends HeatcheckError {}

function prefix(parts: (string | undefined)[], sep: string): string {
  const present = parts.filter((p): p is string => typeof p === 'string' && p.length > 0);
  return present.length ? `${present.join(sep)}: ` : '';
}
