/** Progress lines on stderr (`[deployer] <step>: <detail>`), with every known secret value masked. */
export interface Progress {
  /** One line about a step: what is done, where, and how many bytes when it moves data. */
  step(step: string, detail: string): void;
}

/** Replaces each secret value (and its URL-encoded form) by `***`. Values shorter than 4 chars are ignored. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join("***");
  }
  return out;
}

export function stderrProgress(secrets: readonly string[], write: (line: string) => void = (l) => process.stderr.write(l)): Progress {
  return {
    step(step, detail) {
      write(redact(`[deployer] ${step}: ${detail}\n`, secrets));
    },
  };
}

/** Human-readable byte count for progress lines. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
