/**
 * Splits a batch into produce requests that each stay under a byte limit (Event Hubs' max.request.size):
 * @platformatic/kafka has no max.request.size of its own, so the simulator bounds what it hands to one send.
 * The estimate is an upper bound of the encoded record (UTF-8 bytes plus fixed record and request overhead).
 */
import type { SimulatedMessage } from "./readings";
import { PRODUCE_REQUEST_OVERHEAD_BYTES } from "../../contracts/eventhubs-limits";

/** Record framing (length, attributes, deltas, key/value/header lengths as varints): at most this per record. */
const RECORD_OVERHEAD_BYTES = 64;
/** Request, topic, partition and record-batch headers, client id: at most this per request. */
export const REQUEST_OVERHEAD_BYTES = PRODUCE_REQUEST_OVERHEAD_BYTES;

export function estimatedRecordBytes(message: SimulatedMessage, headerName: string): number {
  const header = message.malformedKind ? Buffer.byteLength(headerName) + Buffer.byteLength(message.malformedKind) + 8 : 0;
  return RECORD_OVERHEAD_BYTES + Buffer.byteLength(message.key) + Buffer.byteLength(message.value) + header;
}

/** Consecutive chunks, in order, each estimated under `limitBytes`; a single record over the limit is an error. */
export function splitByRequestSize(messages: readonly SimulatedMessage[], limitBytes: number, headerName: string): SimulatedMessage[][] {
  const budget = limitBytes - REQUEST_OVERHEAD_BYTES;
  const chunks: SimulatedMessage[][] = [];
  let current: SimulatedMessage[] = [];
  let used = 0;
  for (const message of messages) {
    const size = estimatedRecordBytes(message, headerName);
    if (size > budget) throw new Error(`a message of ~${size} bytes exceeds the ${limitBytes}-byte produce request limit`);
    if (used + size > budget && current.length > 0) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(message);
    used += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
