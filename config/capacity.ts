// Event Hubs capacity from the expected load.
//
// Standard: 1 throughput unit (TU) takes in 1 MB/s or 1000 events/s, whichever is reached first, and sends out
// 2 MB/s or 4096 events/s. Every event is read by each principal that listens on its hub (the job on the readings,
// the stats consumers on the stats), so egress is the ingress times the most readers of one hub (`readers`, from
// eventHubs.access; at least 1):
//   TU = max(ceil(events/s ÷ 1000), ceil(MB/s ÷ 1), ceil(events/s × readers ÷ 4096), ceil(MB/s × readers ÷ 2))
// with MB = 1,000,000 bytes (the smaller unit: never under-sizes), computed on the peak plus `headroomPercent`
// (Azure throttles exactly at the limit, and Kafka framing adds bytes). A principal that reads a hub with several
// consumer groups reads it that many times: it lists the hub once per group in its `listen`.
// Auto-inflate may grow the namespace up to `autoInflateMaximum` (default twice the capacity, at most 40).
//
// Premium: 1 processing unit (PU) is not a hard rate; Microsoft's guidance measures roughly 5–10 MB/s ingress per PU.
// We size on the low end, 5 MB/s or 5000 events/s per PU, rounded up to the next count Azure accepts
// (1, 2, 4, 6, 8, 10, 12, 16). Premium has no auto-inflate.
import { PREMIUM_PROCESSING_UNITS, type EventHubsSku } from "./limits";

/** Expected load on the namespace's ingress, and how many times each event is read. */
export interface ExpectedLoad {
  /** Peak events per second over all topics. */
  readonly peakEventsPerSecond: number;
  /** Average event size in bytes (payload plus headers). */
  readonly averageEventSizeBytes: number;
  /** Extra capacity over the peak, in percent. */
  readonly headroomPercent: number;
  /** The most principals listening on one hub: each reads every event of it. @default 1 */
  readonly readers?: number;
}

/** What the namespace is sized to. */
export interface Capacity {
  readonly sku: EventHubsSku;
  /** The value for the namespace's `capacity`: TUs on Standard, PUs on Premium. */
  readonly units: number;
  /** Standard only: throughput units. */
  readonly throughputUnits: number | undefined;
  /** Premium only: processing units. */
  readonly processingUnits: number | undefined;
  /** Standard with auto-inflate only: the most TUs auto-inflate may reach. */
  readonly autoInflateMaximum: number | undefined;
}

const BYTES_PER_MB = 1_000_000;
const TU_EVENTS_PER_SECOND = 1000;
const TU_MB_PER_SECOND = 1;
const TU_EGRESS_EVENTS_PER_SECOND = 4096;
const TU_EGRESS_MB_PER_SECOND = 2;
const PU_EVENTS_PER_SECOND = 5000;
const PU_MB_PER_SECOND = 5;

/** Peak load plus headroom, as events/s and MB/s. */
export function sizedLoad(load: ExpectedLoad): { eventsPerSecond: number; megabytesPerSecond: number } {
  const factor = 1 + load.headroomPercent / 100;
  const eventsPerSecond = load.peakEventsPerSecond * factor;
  return { eventsPerSecond, megabytesPerSecond: (eventsPerSecond * load.averageEventSizeBytes) / BYTES_PER_MB };
}

/** Standard throughput units for the load (at least 1; may exceed the Standard maximum, which the tier rules report). */
export function throughputUnitsFor(load: ExpectedLoad): number {
  const { eventsPerSecond, megabytesPerSecond } = sizedLoad(load);
  const readers = Math.max(1, load.readers ?? 1);
  return Math.max(
    1,
    units(eventsPerSecond / TU_EVENTS_PER_SECOND),
    units(megabytesPerSecond / TU_MB_PER_SECOND),
    units((eventsPerSecond * readers) / TU_EGRESS_EVENTS_PER_SECOND),
    units((megabytesPerSecond * readers) / TU_EGRESS_MB_PER_SECOND),
  );
}

/** Whole units for a need; a need a float's last digit puts over a whole number (5120 × 1.12 = 5734.400000000001) is that number. */
function units(need: number): number {
  return Math.ceil(need - 1e-9);
}

/**
 * The most readers of one hub (at least 1), from eventHubs.access: each time a principal lists the hub in its
 * `listen` is one reader (one consumer group); malformed entries count for nothing.
 */
export function readersOf(access: unknown): number {
  const listeners = new Map<string, number>();
  for (const rights of Object.values(access !== null && typeof access === "object" ? (access as Record<string, unknown>) : {})) {
    const listen = (rights as { listen?: unknown } | null)?.listen;
    for (const hub of Array.isArray(listen) ? listen.filter((h): h is string => typeof h === "string") : []) listeners.set(hub, (listeners.get(hub) ?? 0) + 1);
  }
  return Math.max(1, ...listeners.values());
}

/** Premium processing units for the load, rounded up to an allowed count; undefined when more than 16 would be needed. */
export function processingUnitsFor(load: ExpectedLoad): number | undefined {
  const { eventsPerSecond, megabytesPerSecond } = sizedLoad(load);
  const needed = Math.max(1, Math.ceil(eventsPerSecond / PU_EVENTS_PER_SECOND), Math.ceil(megabytesPerSecond / PU_MB_PER_SECOND));
  return PREMIUM_PROCESSING_UNITS.find((allowed) => allowed >= needed);
}

/** Default auto-inflate maximum: twice the capacity, capped at the Standard maximum but never below the capacity. */
export function defaultAutoInflateMaximum(throughputUnits: number, standardMax: number): number {
  return Math.max(throughputUnits, Math.min(standardMax, throughputUnits * 2));
}

/**
 * What the namespace takes in at most, as this sizing assumes: per unit 1 MB/s and 1000 events/s (TU)
 * or 5 MB/s and 5000 events/s (PU), times the units it can reach (the auto-inflate maximum if any).
 */
export function ingressLimits(capacity: Capacity): { bytesPerSecond: number; eventsPerSecond: number } {
  const units = capacity.autoInflateMaximum ?? capacity.units;
  return capacity.sku === "Premium"
    ? { bytesPerSecond: units * PU_MB_PER_SECOND * BYTES_PER_MB, eventsPerSecond: units * PU_EVENTS_PER_SECOND }
    : { bytesPerSecond: units * TU_MB_PER_SECOND * BYTES_PER_MB, eventsPerSecond: units * TU_EVENTS_PER_SECOND };
}
