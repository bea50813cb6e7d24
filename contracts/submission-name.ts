/**
 * A streaming submission's identity (issue 24 item 3): the Livy batch name says which release it runs and
 * which attempt it is, `<batchName>.<digest12>.<fence>-<n>`:
 * - `digest12`: the first 12 hex digits of the release digest;
 * - `fence`: the fencing number of the deploy lock the submitting run held (lock.ts; never handed out twice);
 * - `n`: the run's own count of submissions (a deploy may submit the new release, then restore the old).
 * So no two submissions share a name, a duplicate-name refusal or a lost answer is resolved by looking up the
 * exact name, and a batch id Livy renumbered after a restart is never taken for ours by its id alone.
 * The deployer (release-runner.ts, status.ts, teardown.ts) and the tests' Livy helpers read it. Pure: no I/O.
 */

export interface SubmissionIdentity {
  /** The release digest's first 12 hex digits. */
  readonly digest12: string;
  readonly fence: number;
  readonly attempt: number;
}

export const DIGEST_PREFIX_LENGTH = 12;

export function submissionName(batchName: string, digest: string, fence: number, attempt: number): string {
  return `${batchName}.${digest.slice(0, DIGEST_PREFIX_LENGTH)}.${fence}-${attempt}`;
}

/**
 * The identity in a batch name, if it is a streaming submission of `batchName`. `legacy`: the bare name the
 * deployers before submission identities used (still ours, still stopped, its release unknown).
 */
export function parseSubmissionName(batchName: string, name: string | null): SubmissionIdentity | "legacy" | undefined {
  if (name === null) return undefined;
  if (name === batchName) return "legacy";
  if (!name.startsWith(`${batchName}.`)) return undefined;
  const m = /^([0-9a-f]{12})\.(\d{1,15})-(\d{1,6})$/.exec(name.slice(batchName.length + 1));
  return m ? { digest12: m[1]!, fence: Number(m[2]), attempt: Number(m[3]) } : undefined;
}

/** Whether a batch name is a streaming submission of this environment (the other batches carry a `-<kind>` suffix). */
export function isSubmissionOf(batchName: string, name: string | null): boolean {
  return parseSubmissionName(batchName, name) !== undefined;
}
