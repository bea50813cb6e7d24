/** Where a WebHDFS data step may go (webhdfs-endpoint.ts): through Knox only back to the gateway; from a NameNode, never to another scheme or from https down to http. */
import { Agent } from "undici";
import { knoxWebHdfs, namenodeWebHdfs } from "../../src/deployer/clients/webhdfs-endpoint";

const dispatcher = new Agent();
afterAll(() => dispatcher.close());

test("a NameNode's redirect: http(s) of its own level or above only", () => {
  const plain = namenodeWebHdfs(new URL("http://nn.example:9870"), "etl", dispatcher);
  expect(() => plain.checkRedirect(new URL("http://dn1.example:9864/webhdfs/v1/x"), "w")).not.toThrow();
  expect(() => plain.checkRedirect(new URL("https://dn1.example:9865/webhdfs/v1/x"), "w")).not.toThrow();
  expect(() => plain.checkRedirect(new URL("file:///etc/passwd"), "w")).toThrow(/refused redirect to a file: URL/);
  const tls = namenodeWebHdfs(new URL("https://nn.example:9871"), "etl", dispatcher);
  expect(() => tls.checkRedirect(new URL("https://dn1.example:9865/webhdfs/v1/x"), "w")).not.toThrow();
  expect(() => tls.checkRedirect(new URL("http://dn1.example:9864/webhdfs/v1/x"), "w")).toThrow(/from https down to http/);
  expect(plain.params).toEqual({ "user.name": "etl" });
  expect(plain.headers).toEqual({});
  expect(() => namenodeWebHdfs(new URL("http://nn.example:9870"), "etl&doas=hdfs", dispatcher)).toThrow(/HDFS user/);
});

test("through Knox: only back to the gateway, with its credentials", () => {
  const knox = knoxWebHdfs({ url: new URL("https://gw.example:30443"), credentials: { username: "u", password: "p" }, dispatcher });
  expect(knox.base.href).toBe("https://gw.example:30443/gateway/default/webhdfs/v1");
  expect(knox.headers).toEqual({ authorization: `Basic ${Buffer.from("u:p").toString("base64")}` });
  expect(() => knox.checkRedirect(new URL("https://gw.example:30443/gateway/default/webhdfs/data/v1/x"), "w")).not.toThrow();
  expect(() => knox.checkRedirect(new URL("https://dn1.example:9865/webhdfs/v1/x"), "w")).toThrow(/credentials are only sent to the gateway/);
});
