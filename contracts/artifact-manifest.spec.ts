import { manifestHash, manifestSchema, sha256Hex } from "./artifact-manifest";

describe("the artifact manifest contract", () => {
  const files = [
    { path: "job.py", sha256: sha256Hex("job"), size: 3, kind: "job" as const },
    { path: "create_tables.py", sha256: sha256Hex("ddl"), size: 3, kind: "job" as const },
  ];

  it("hashes the sha256sum lines of the files sorted by path, whatever order they come in", () => {
    const lines = `${sha256Hex("ddl")}  create_tables.py\n${sha256Hex("job")}  job.py\n`;
    expect(manifestHash(files)).toBe(sha256Hex(lines));
    expect(manifestHash([...files].reverse())).toBe(sha256Hex(lines));
  });

  it("refuses a path outside the artifact and an unknown kind", () => {
    const manifest = { name: "a", hash: manifestHash(files), sparkVersion: "3.1.2", scalaVersion: "2.12", files };
    expect(manifestSchema.safeParse(manifest).success).toBe(true);
    expect(manifestSchema.safeParse({ ...manifest, files: [{ ...files[0], path: "../etc/passwd" }] }).success).toBe(false);
    expect(manifestSchema.safeParse({ ...manifest, files: [{ ...files[0], kind: "script" }] }).success).toBe(false);
  });
});
