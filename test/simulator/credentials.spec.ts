import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CredentialsError, findSecretArguments, loadConnectionString } from "../../src/simulator/credentials";

const SECRET_KEY = "c2VjcmV0LWtleS1kby1ub3QtbG9n";
const CONNECTION_STRING = `Endpoint=sb://sensors-dev.servicebus.windows.net/;SharedAccessKeyName=simulator-send;SharedAccessKey=${SECRET_KEY};EntityPath=sensor-readings`;

function refusal(fn: () => unknown): CredentialsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).not.toContain(SECRET_KEY);
    return error as CredentialsError;
  }
  throw new Error("expected a refusal");
}

describe("connection string handling", () => {
  it("finds secrets passed as arguments, in any form, without repeating them", () => {
    expect(findSecretArguments(["--topic", "t", "--connection-string", "x"])).toEqual(["--connection-string"]);
    expect(findSecretArguments(["--connection-string=abc", "--password", "p"])).toEqual(["--connection-string", "--password"]);
    const found = findSecretArguments(["--topic", CONNECTION_STRING]);
    expect(found).toEqual(["an argument that contains a connection string"]);
    expect(found.join()).not.toContain(SECRET_KEY);
    expect(findSecretArguments(["--topic", "t", "--connection-string-env", "MY_VAR", "--connection-string-file", "/f"])).toEqual([]);
  });

  it("reads the connection string from the default environment variable, a named one, or a file", () => {
    expect(loadConnectionString({}, { EVENTHUBS_CONNECTION_STRING: CONNECTION_STRING })).toBe(CONNECTION_STRING);
    expect(loadConnectionString({ envVar: "MY_EH" }, { MY_EH: ` ${CONNECTION_STRING}\n` })).toBe(CONNECTION_STRING);
    const dir = mkdtempSync(join(tmpdir(), "cs-"));
    writeFileSync(join(dir, "cs"), `${CONNECTION_STRING}\n`);
    expect(loadConnectionString({ file: join(dir, "cs") }, {})).toBe(CONNECTION_STRING);
  });

  it("says where it looked when the connection string is missing", () => {
    expect(refusal(() => loadConnectionString({}, {})).message).toMatch(/set the environment variable EVENTHUBS_CONNECTION_STRING/);
    expect(refusal(() => loadConnectionString({ file: "/nonexistent/cs" }, {})).message).toMatch(/cannot read the connection string file \/nonexistent\/cs: ENOENT/);
  });

  it("refuses a value that is not an Event Hubs connection string, without echoing it", () => {
    const error = refusal(() => loadConnectionString({}, { EVENTHUBS_CONNECTION_STRING: `Endpoint=sb://x/;SharedAccessKey=${SECRET_KEY}` }));
    expect(error.message).toMatch(/lacks SharedAccessKeyName/);
    refusal(() => loadConnectionString({}, { EVENTHUBS_CONNECTION_STRING: `Endpoint=https://x;SharedAccessKeyName=a;SharedAccessKey=${SECRET_KEY}` }));
  });

});
