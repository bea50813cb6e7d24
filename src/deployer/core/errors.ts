/** A deploy failure with a message fit for the operator: what failed, where, and why; never a secret. */
export class DeployError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeployError";
  }
}

/** An HTTP call that got a status it cannot use. `path` never carries credentials or a SAS. */
export class HttpStatusError extends DeployError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    detail: string,
  ) {
    super(`${method} ${path} failed with HTTP ${status}${detail ? `: ${detail}` : ""}`);
    this.name = "HttpStatusError";
  }
}

/**
 * Whether a call's effect is unknown, so it must be read back or, where that is safe, sent again: no answer
 * at all, or a gateway's 5xx (and 429 where the caller's request is safe to repeat). `decided` names the
 * error classes that are a definite answer despite not being HTTP statuses.
 */
export function answerMayBeLost(err: unknown, options: { retry429?: boolean; decided?: readonly (abstract new (...args: never[]) => Error)[] } = {}): boolean {
  if (err instanceof NotSentError) return false;
  if (err instanceof HttpStatusError) return err.status >= 500 || (options.retry429 === true && err.status === 429);
  return err instanceof Error && !(options.decided ?? []).some((kind) => err instanceof kind);
}

/** A request that failed before it was sent (no credential or token to send it with): nothing can have happened. */
export class NotSentError extends DeployError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NotSentError";
  }
}
