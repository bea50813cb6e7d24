// `npm run gen:schemas`: writes the JSON Schemas generated from contracts/ where their readers expect them.
// The job config's goes beside job.py, so the artifact ships it and the job's tests read it.
// contracts/generated-schemas.spec.ts fails when a committed file is not what this writes.
import { writeFileSync } from "node:fs";
import { GENERATED_SCHEMAS } from "../../contracts/generated-schemas";

for (const { path, content } of GENERATED_SCHEMAS) {
  writeFileSync(path, content());
  console.log(`wrote ${path}`);
}
