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
  return 10 * maxSensorLength + 512;
}
