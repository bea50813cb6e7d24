/** The e2e check's partition directories: a file's `<column>=<value>` parts, whatever attempt directory holds it. */
import { fileDirectories } from "./loss-report";

test("files of one partition under several attempts are one directory; hidden staging is left out", () => {
  const files: [string, number][] = [
    ["/run_id=r/batch_id=1/attempt-aa/part-0.parquet", 10],
    ["/run_id=r/batch_id=1/attempt-bb/part-0.parquet", 10],
    ["/run_id=r/batch_id=2/part-0.parquet", 10], // a partition written before attempt directories
    ["/run_id=r/.batch_id=3.cc/part-0.parquet", 10],
    ["/run_id=r/batch_id=1/_unregistered", 0],
  ];
  expect(fileDirectories({ registered: [], files })).toEqual(["run_id=r/batch_id=1", "run_id=r/batch_id=2"]);
});
