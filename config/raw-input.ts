// Reading an environment's input before the schema has checked it: a rule looks at what is there and leaves what
// is malformed to the schema's own message.

export type Raw = Record<string, unknown>;

export const isRecord = (value: unknown): value is Raw => value !== null && typeof value === "object" && !Array.isArray(value);

/** The value as an object to read fields from, or an empty one. */
export const record = (value: unknown): Raw => (isRecord(value) ? value : {});

/** A finite number above 0, or undefined. */
export const positiveNumber = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined);
