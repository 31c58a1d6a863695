/**
 * The one error type of keyplane. `byok`, `stacks` and `sandbox` throw it; only `cli` decides how it looks.
 *
 * `code` is stable (scripts and tests match on it); `message` is one line naming the field, file or key and
 * what was expected; `hint` says what to do next. Messages never carry key material, plaintext or tokens.
 */
export type KeyplaneErrorCode =
  /** Bad command line: unknown flag, missing flag, wrong combination. Exit 2. */
  | "USAGE"
  /** A value the user gave (flag value, file content, plan field) is not acceptable. Exit 1. */
  | "INVALID_INPUT"
  /** A file could not be read or written. Exit 1. */
  | "FILE"
  /** The key plan is malformed or breaks a guardrail. Exit 1. */
  | "PLAN"
  /** A cryptographic check failed (KCV mismatch, tampered share, wrong material). Exit 1. */
  | "INTEGRITY"
  /** AWS KMS (or the sandbox) refused a request; `awsName` keeps AWS's exception name. Exit 1. */
  | "AWS"
  /** The operation is known but not available yet. Exit 1. */
  | "NOT_AVAILABLE"
  /** The person stopped it (Ctrl-C at a prompt) before anything irreversible. Exit 130. */
  | "INTERRUPTED"
  /** Anything else keyplane detected itself. Exit 1. */
  | "INTERNAL";

export interface KeyplaneErrorOptions {
  /** What to do next, one short sentence. */
  hint?: string;
  /** AWS's own exception name, e.g. `ExpiredImportTokenException`. */
  awsName?: string;
  /** The underlying error, kept for `--debug` only. */
  cause?: unknown;
}

export class KeyplaneError extends Error {
  readonly code: KeyplaneErrorCode;
  readonly hint: string | undefined;
  readonly awsName: string | undefined;

  constructor(code: KeyplaneErrorCode, message: string, options: KeyplaneErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KeyplaneError";
    this.code = code;
    this.hint = options.hint;
    this.awsName = options.awsName;
  }

  /** Message plus hint, as the CLI prints it: one line. */
  oneLine(): string {
    const aws = this.awsName && !this.message.includes(this.awsName) ? `${this.awsName}: ` : "";
    return this.hint ? `${aws}${this.message} (${this.hint})` : `${aws}${this.message}`;
  }
}

export function isKeyplaneError(error: unknown): error is KeyplaneError {
  return error instanceof KeyplaneError;
}

export function usageError(message: string, hint?: string): KeyplaneError {
  return new KeyplaneError("USAGE", message, hint === undefined ? {} : { hint });
}

export function invalidInput(message: string, hint?: string): KeyplaneError {
  return new KeyplaneError("INVALID_INPUT", message, hint === undefined ? {} : { hint });
}
