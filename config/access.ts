// Who may do what on which topic, turned into hub-scoped authorization rules (one per principal and topic).

/** One Event Hubs authorization rule, scoped to a single event hub; never with manage. */
export interface HubRule {
  /** Rule name in Azure: the principal, e.g. aggregation-job. */
  readonly principal: string;
  /** The event hub (topic) the rule is scoped to. */
  readonly topic: string;
  readonly send: boolean;
  readonly listen: boolean;
}

/** Expands `{ principal: { send: [...], listen: [...] } }` into one rule per principal and topic, sorted for stable output. */
export function hubRulesOf(access: Readonly<Record<string, { readonly send: readonly string[]; readonly listen: readonly string[] }>>): HubRule[] {
  const rules: HubRule[] = [];
  for (const [principal, rights] of Object.entries(access)) {
    const topics = [...new Set([...rights.send, ...rights.listen])].sort();
    for (const topic of topics) {
      rules.push({ principal, topic, send: rights.send.includes(topic), listen: rights.listen.includes(topic) });
    }
  }
  return rules.sort((a, b) => byCodeUnits(a.principal, b.principal) || byCodeUnits(a.topic, b.topic));
}

/** The same order on every machine, unlike localeCompare (whose first call also loads ICU's collator: 7 ms of a synth). */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
