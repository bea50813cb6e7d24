/**
 * Event Hubs' Kafka endpoint limits, the one owner: the simulator's producer and any Kafka producer setting
 * (e.g. the job's sink `kafka.max.request.size`) take the number from here.
 */

/** Event Hubs refuses a Kafka produce request larger than this many bytes (its max.request.size). */
export const EVENTHUBS_MAX_REQUEST_BYTES = 1_046_528;
