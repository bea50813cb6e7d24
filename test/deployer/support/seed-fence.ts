/** A stand-in for the deploy lock, for specs that seed a live state with no run holding the lock (fence 0: any real run's state write is above it). */
import type { Fence } from "../../../src/deployer/state/lock";

export const SEED_FENCE: Fence = { verify: () => Promise.resolve({ token: "test-seed", fence: 0 }) };
