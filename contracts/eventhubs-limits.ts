/**
 * Event Hubs' limits that the job, the simulator and config checks share. Pure data.
 * The largest event (or Kafka produce request) Event Hubs accepts, Standard and Premium alike: 1 MB, which its
 * Kafka endpoint enforces as 1,046,528 bytes. The simulator splits its sends under it (src/simulator/request-size.ts),
 * the job bounds its input and every stats message by it (job config max_message_bytes).
 */
export const EVENT_HUBS_MAX_MESSAGE_BYTES = 1_046_528;

/**
 * The largest stats message a sensor name of `maxSensorLength` characters can make, in bytes: the name is the
 * record's key (UTF-8, up to 4 bytes a character) and a field of its JSON value (escaped, up to 6 bytes a
 * character, as \u0001), plus the value's other fields (numbers, the timestamp, a run id of up to 64
 * characters, the batch id) within 512 bytes. job_config.py computes the same bound.
 */
export function worstStatsMessageBytes(maxSensorLength: number): number {
  return STATS_MESSAGE_BYTES_PER_CHARACTER * maxSensorLength + STATS_MESSAGE_FIXED_BYTES;
}
export const STATS_MESSAGE_BYTES_PER_CHARACTER = 10;
export const STATS_MESSAGE_FIXED_BYTES = 512;

/**
 * What a produce request adds around its records (request, topic, partition and record-batch headers, client
 * id), at most. Kafka's producer bounds a record by `max.request.size` without these, so the job's producer
 * and the simulator's sends stay this far under Event Hubs' limit: a request of exactly the limit is refused.
 */
export const PRODUCE_REQUEST_OVERHEAD_BYTES = 1_024;

/** The producer's `max.request.size` for a message limit: the limit less the request's framing. */
export function producerMaxRequestBytes(maxMessageBytes: number): number {
  return maxMessageBytes - PRODUCE_REQUEST_OVERHEAD_BYTES;
}
