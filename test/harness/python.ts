/** The project venv's Python (scripts/setup.d/20-python.sh): it runs every harness script, which use its packages. */
import { resolve } from "node:path";

export const HARNESS_PYTHON = resolve(__dirname, "..", "..", ".venv", "bin", "python");
