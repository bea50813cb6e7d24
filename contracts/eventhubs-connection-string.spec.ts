import {
  connectionStringSecrets,
  formatConnectionString,
  kafkaBootstrapOf,
  parseConnectionString,
} from "./eventhubs-connection-string";

const KEY = "c2VjcmV0LWtleS0xMjM0NTY3ODkw";
const TEXT = `Endpoint=sb://sensors-dev.servicebus.windows.net/;SharedAccessKeyName=aggregation-job-listen;SharedAccessKey=${KEY};EntityPath=sensor-readings`;

describe("Event Hubs connection strings", () => {
  it("parses host, rule, key and hub, and gives the Kafka bootstrap on 9093", () => {
    const parsed = parseConnectionString(TEXT);
    expect(parsed).toEqual({ ok: true, value: { host: "sensors-dev.servicebus.windows.net", keyName: "aggregation-job-listen", key: KEY, entityPath: "sensor-readings" } });
    expect(parsed.ok && kafkaBootstrapOf(parsed.value)).toBe("sensors-dev.servicebus.windows.net:9093");
  });

  it("says what is wrong without the value", () => {
    const problems = [
      `Endpoint=sb://x/;SharedAccessKey=${KEY}`,
      `Endpoint=https://x;SharedAccessKeyName=a;SharedAccessKey=${KEY}`,
      `Endpoint=sb://x/;SharedAccessKeyName=a;SharedAccessKey=${KEY}"`,
      "",
    ].map((text) => parseConnectionString(text));
    expect(problems).toEqual([
      { ok: false, problem: "it lacks SharedAccessKeyName" },
      { ok: false, problem: "its Endpoint is not sb://<host>/" },
      { ok: false, problem: 'it contains a double quote (")' },
      { ok: false, problem: "it lacks Endpoint, SharedAccessKeyName, SharedAccessKey" },
    ]);
    expect(JSON.stringify(problems)).not.toContain(KEY);
  });

  it("masks the whole string and its key; formats and parses back, a stand-in's port included", () => {
    expect(connectionStringSecrets(TEXT)).toEqual([TEXT, KEY]);
    const local = { host: "127.0.0.1", port: 39092, keyName: "r", key: "k", entityPath: "t" };
    expect(parseConnectionString(formatConnectionString(local))).toEqual({ ok: true, value: local });
  });
});
