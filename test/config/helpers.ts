// Builds a variant of a real environment and returns the messages validation gives it.
import { ConfigError, deepMerge, environmentInput, environmentViolations, formatViolation, validateEnvironment, type DeepPartial, type UnsizedEnvironmentInput } from "../../config";

/** dev (or another environment) with some fields changed. Casts let tests write values the types forbid. */
export function variant(changes: DeepPartial<UnsizedEnvironmentInput> | Record<string, unknown>, env = "dev"): UnsizedEnvironmentInput {
  return deepMerge<UnsizedEnvironmentInput>(environmentInput(env), changes as DeepPartial<UnsizedEnvironmentInput>);
}

/** Every violation message of a variant, formatted as in the ConfigError. */
export function messagesOf(input: UnsizedEnvironmentInput, env = "dev"): string[] {
  return environmentViolations(env, input).map(formatViolation);
}

/** The ConfigError validation throws for a variant (fails the test if none is thrown). */
export function errorOf(input: UnsizedEnvironmentInput, env = "dev"): ConfigError {
  try {
    validateEnvironment(env, input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but the environment validated");
}
