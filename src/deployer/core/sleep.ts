/** Waiting, injectable so that tests and fault scenarios run on a fake clock. */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
