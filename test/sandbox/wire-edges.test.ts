import { connect } from "node:net";
import { CreateKeyCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { useSandbox } from "../support/sandbox";

/**
 * The edges of the wire a client can reach with a raw socket: other paths, empty and oversized bodies,
 * oversized headers, bytes that are not HTTP, and JSON that names `__proto__`. Each is answered in AWS's JSON
 * shape (never a reset connection), and the sandbox keeps serving after all of them.
 */
const { sandbox, kms } = useSandbox();

const SIGNED =
  "AWS4-HMAC-SHA256 Credential=AKIAKEYPLANETEST0000/20261129/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00";

interface RawAnswer {
  status: number;
  body: unknown;
}

/**
 * Sends `head` and `body` over one connection and reads the answer to the end. A reset (or any socket
 * error) rejects, so a test that expects an answer fails on it.
 */
function exchange(head: string, body: Buffer = Buffer.alloc(0)): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(sandbox.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1]);
      const json = text.slice(text.indexOf("\r\n\r\n") + 4);
      try {
        resolve({ status, body: JSON.parse(json) });
      } catch {
        reject(new Error(`not a JSON answer: ${text.slice(0, 200)}`));
      }
    });
    socket.write(head);
    socket.end(body);
  });
}

function request(
  options: { path?: string; target?: string; headers?: Record<string, string> },
  body: Buffer | string = "{}",
): Promise<RawAnswer> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const headers: Record<string, string> = {
    Host: "kms.local",
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": options.target ?? "TrentService.ListKeys",
    Authorization: SIGNED,
    "Content-Length": String(bytes.length),
    Connection: "close",
    ...options.headers,
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return exchange(`POST ${options.path ?? "/"} HTTP/1.1\r\n${lines.join("")}\r\n`, bytes);
}

async function listKeyIds(): Promise<string[]> {
  return ((await kms.send(new ListKeysCommand({}))).Keys ?? []).map((key) => key.KeyId!);
}

test("a path other than / is no KMS operation: 404 UnknownOperationException", async () => {
  for (const path of ["/foo", "/../../etc/passwd", "/foo?Action=ListKeys", "//"]) {
    await expect(request({ path })).resolves.toEqual({
      status: 404,
      body: {
        __type: "UnknownOperationException",
        message: `No operation at ${path.split("?")[0]}: KMS answers POST /`,
      },
    });
  }
  await expect(request({ path: "/?x=1" })).resolves.toMatchObject({ status: 200 });
});

test("an empty body is the empty input, as AWS's JSON protocol accepts it", async () => {
  // Smithy's awsJson1_1 protocol tests: "AWS service implementations support requests with no payload".
  await expect(request({}, "")).resolves.toEqual({
    status: 200,
    body: { Keys: expect.any(Array), Truncated: false },
  });
  const required = {
    status: 400,
    body: {
      __type: "ValidationException",
      message:
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    },
  };
  await expect(request({ target: "TrentService.DescribeKey" }, "")).resolves.toEqual(required);
  await expect(request({ target: "TrentService.DescribeKey" }, "{}")).resolves.toEqual(required);
});

test("50 MB bodies, JSON or not, are read to their end and answered 413", async () => {
  const limit = {
    status: 413,
    body: {
      __type: "RequestEntityTooLargeException",
      message: "Request body of 52428800 bytes exceeds the limit of 2097152 bytes",
    },
  };
  const json = Buffer.alloc(50 * 1024 * 1024, 0x20);
  json.write('{"Marker":"', 0);
  json.write('"}', json.length - 2);
  await expect(request({}, json)).resolves.toEqual(limit);
  await expect(request({}, Buffer.alloc(50 * 1024 * 1024, 0xff))).resolves.toEqual(limit);
}, 60_000);

test("header sections over 16 KiB (a 100 KB X-Amz-Target, 1 MB of headers) are answered 400, not reset", async () => {
  const tooLarge = {
    status: 400,
    body: {
      __type: "RequestHeaderSectionTooLarge",
      message: "Your request header section exceeds the maximum allowed size (16384 bytes).",
    },
  };
  await expect(request({ target: `TrentService.${"A".repeat(100_000)}` })).resolves.toEqual(tooLarge);
  await expect(request({ headers: { "X-Padding": "p".repeat(1_000_000) } })).resolves.toEqual(tooLarge);
});

test("bytes that are not HTTP (a TLS hello, a garbage line) are answered 400 SerializationException", async () => {
  const invalid = {
    status: 400,
    body: { __type: "SerializationException", message: "The request is not a valid HTTP/1.1 request." },
  };
  await expect(exchange("GARBAGE\r\n\r\n")).resolves.toEqual(invalid);
  await expect(exchange("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")).resolves.toEqual(invalid);
});

test('"__proto__" in JSON is data: it sets nothing on other objects and stays an encryption-context key', async () => {
  await kms.send(new CreateKeyCommand({}));
  await kms.send(new CreateKeyCommand({}));
  // An own "__proto__" member is an unknown member (ignored), never the prototype of the input.
  const listed = await request({}, '{"__proto__": {"Limit": 1}}');
  expect(listed).toMatchObject({ status: 200, body: { Truncated: false } });
  expect((listed.body as { Keys: unknown[] }).Keys.length).toBe((await listKeyIds()).length);
  const created = await request(
    { target: "TrentService.CreateKey" },
    '{"__proto__": {"Description": "polluted", "MultiRegion": true}}',
  );
  expect(created).toMatchObject({
    status: 200,
    body: { KeyMetadata: { Description: "", MultiRegion: false } },
  });
  const plain = await request({ target: "TrentService.CreateKey" }, "{}");
  expect(plain).toMatchObject({ body: { KeyMetadata: { Description: "", MultiRegion: false } } });
  const keyId = (plain.body as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
  const encrypted = await request(
    { target: "TrentService.Encrypt" },
    JSON.stringify({ KeyId: keyId, Plaintext: Buffer.from("bound").toString("base64") }).replace(
      /}$/,
      ', "EncryptionContext": {"__proto__": "a"}}',
    ),
  );
  expect(encrypted.status).toBe(200);
  const blob = (encrypted.body as { CiphertextBlob: string }).CiphertextBlob;
  const decrypt = (context: string) =>
    request({ target: "TrentService.Decrypt" }, `{"CiphertextBlob": "${blob}"${context}}`);
  await expect(decrypt(', "EncryptionContext": {"__proto__": "a"}')).resolves.toMatchObject({
    status: 200,
    body: { Plaintext: Buffer.from("bound").toString("base64") },
  });
  for (const context of ["", ', "EncryptionContext": {"__proto__": "b"}', ', "EncryptionContext": {}']) {
    await expect(decrypt(context)).resolves.toEqual({
      status: 400,
      body: { __type: "InvalidCiphertextException" },
    });
  }
});

test("a body cut short by the client is the client's error: nothing on the sandbox's stderr", async () => {
  let stderr = "";
  const listen = (chunk: Buffer) => {
    stderr += chunk.toString();
  };
  sandbox.process.stderr.on("data", listen);
  try {
    // The client half-closes after 8 of 100 bytes; the sandbox answers what it can, on what is left of it.
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(sandbox.port, "127.0.0.1");
      let text = "";
      socket.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        if (text.endsWith("}")) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on("error", () => resolve(text));
      socket.on("close", () => resolve(text));
      socket.end(
        `POST / HTTP/1.1\r\nHost: kms.local\r\nX-Amz-Target: TrentService.ListKeys\r\nAuthorization: ${SIGNED}\r\nContent-Length: 100\r\n\r\n{"Limit"`,
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    // Node's parser or the body reader notices first; either way a SerializationException.
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toMatchObject({
      __type: "SerializationException",
    });
    // Two answered requests later the sandbox has long handled the cut connection.
    await listKeyIds();
    await listKeyIds();
    expect(stderr).toBe("");
  } finally {
    sandbox.process.stderr.off("data", listen);
  }
});

test("after every edge above the sandbox still serves the SDK", async () => {
  expect(sandbox.process.exitCode).toBeNull();
  expect((await listKeyIds()).length).toBeGreaterThanOrEqual(4);
});
