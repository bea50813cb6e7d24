/** What the end-to-end scenario (scenario.ts, a child process) and its judge (pipeline-suite.ts) both name. */

/** The column v3's migration adds to the data table (nullable, as every migration's: the previous release writes it NULL). */
export const MIGRATED_COLUMN = "quality";
