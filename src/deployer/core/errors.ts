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
