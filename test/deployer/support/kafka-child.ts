/**
 * Test helper, run as a child process with tsx (the Kafka client is ESM-only, which jest's CommonJS
 * runtime cannot load):
 *   tsx kafka-child.ts produce <bootstrap> <topic> <partition>[,<partition>...]   one reading per entry
 *   tsx kafka-child.ts end-offsets <bootstrap> <topic>                          the deployer's own endOffsets, as JSON
 *   tsx kafka-child.ts offsets-at <bootstrap> <topic> <ms>                      the deployer's own offsetsAt, as JSON
 */
import { Producer, stringSerializers } from "@platformatic/kafka";
import { endOffsets, offsetsAt } from "../../../src/deployer/clients/topic-offsets";

async function main([command, bootstrap, topic, partitions]: string[]): Promise<void> {
  if (command === "produce") {
    const producer = new Producer({ clientId: "status-test", bootstrapBrokers: [bootstrap!], serializers: stringSerializers });
    await producer.send({ messages: partitions!.split(",").map((p, i) => ({ topic: topic!, partition: Number(p), value: `{"sensor":"s${i}","measure1":1,"measure2":2}` })) });
    await producer.close();
    return;
  }
  if (command === "offsets-at") {
    process.stdout.write(`${JSON.stringify(await offsetsAt({ bootstrap: bootstrap! }, topic!, Number(partitions)))}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify(await endOffsets({ bootstrap: bootstrap! }, topic!))}\n`);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`kafka-child: ${(err as Error).message}\n`);
  process.exit(1);
});
