/**
 * Notifications of the job's condition to a webhook (Slack and Teams incoming webhooks both take
 * `{"text": …}`), one per change of condition, never one per run: the last condition notified is
 * kept in the live state. A notification that fails is said on the progress lines and never fails
 * the deploy or ensure that sent it.
 */
import type { DeployState } from "../state/deploy-state";
import type { Progress } from "../core/progress";

export type Condition = NonNullable<DeployState["notified"]>["condition"];
/** What a condition is about, where one condition covers two (the backlog: over its limits, or "undersized"). */
export type About = string | undefined;

/** Whether (condition, about) is what was last notified; nothing notified counts as healthy. */
export function alreadyNotified(state: Pick<DeployState, "notified">, condition: Condition, about?: About): boolean {
  return (state.notified?.condition ?? "healthy") === condition && state.notified?.about === about;
}

export interface Notifier {
  send(text: string): Promise<void>;
}

/** POSTs `{"text": …}` to the URL, within `timeoutMs`; throws on anything but 2xx. */
export function webhookNotifier(url: string, timeoutMs = 10_000): Notifier {
  return {
    async send(text) {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }), signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      if (res.status < 200 || res.status > 299) throw new Error(`the webhook answered HTTP ${res.status}`);
    },
  };
}

/**
 * The state's `notified` after this run: unchanged when the condition is the one last notified (or
 * healthy with nothing notified before); else the new condition, sent (best effort) with `text`.
 */
export async function notifyChange(
  notifier: Notifier | undefined,
  state: Pick<DeployState, "notified">,
  condition: Condition,
  text: string,
  progress: Progress,
  now: Date,
  about?: About,
): Promise<DeployState["notified"]> {
  if (alreadyNotified(state, condition, about)) return state.notified;
  const record = { condition, at: now.toISOString(), ...(about !== undefined ? { about } : {}) };
  if (notifier === undefined) return record;
  try {
    await notifier.send(text);
    progress.step("notify", `sent: ${text}`);
  } catch (err) {
    progress.step("notify", `notification failed (${(err as Error).message}); the run goes on: ${text}`);
  }
  return record;
}
