// The job's interval form ("15 seconds"), shared by the deployer's timing rules.

/** "15 seconds" → 15000 (the job's trigger_interval form); 60 s when it cannot be read. */
export function intervalMs(text: string): number {
  const m = /^(\d+) (millisecond|second|minute|hour)s?$/.exec(text);
  if (!m) return 60_000;
  return Number(m[1]) * { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000 }[m[2] as "second"];
}
