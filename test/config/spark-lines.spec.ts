import { sparkLineForRelease } from "../../jobs/sensor_aggregation/jars/spark-lines";

describe("sparkLineForRelease", () => {
  it.each([
    [9, "2.4"],
    [12, "2.4"],
    [13, "3.1"],
    [17, "3.1"],
  ])("CU%i runs Spark %s", (release, line) => {
    expect(sparkLineForRelease(release)).toBe(line);
  });

  it.each([8, 12.5, 0, -1])("refuses CU%p with the allowed range in the message", (release) => {
    expect(() => sparkLineForRelease(release)).toThrow(/bdc\.release: .* allowed: an integer CU number >= 9/);
  });
});
