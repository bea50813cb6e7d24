/** How a command that failed says what runs once it is over (the run's final line). */
import { DeployError } from "../core/errors";

/** A deploy or ensure failure, with what runs once it is over. */
export class OutcomeError extends DeployError {
  constructor(
    message: string,
    readonly runningNow: string,
  ) {
    super(message);
    this.name = "OutcomeError";
  }
}

/**
 * A live driver that Livy does not run holds a checkpoint the run would start a driver on: nothing is started
 * beside it (a restore does not try the previous release either: its driver could not take the lease).
 */
export class CheckpointHeldError extends OutcomeError {
  constructor(message: string, readonly leasePath: string) {
    super(message, `a driver outside Livy holds ${leasePath}`);
    this.name = "CheckpointHeldError";
  }
}
