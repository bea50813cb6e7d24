export const STALE_TEMP_MS = 60 * 60 * 1000;
