import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

export interface LossyProxy {
  url: string;
  /** `Operation KeyId` of every answer dropped, in order. */
  dropped: string[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the sandbox that lets KMS carry out a call and then drops its answer (the
 * connection is destroyed), for the calls `drop` picks: what a timeout after KMS acted looks like to the SDK,
 * which retries the call. Deterministic, unlike the sandbox's random `--faults lost:P`.
 */
export function startLossyProxy(
  target: string,
  drop: (operation: string, input: Record<string, unknown>) => boolean,
): Promise<LossyProxy> {
  const upstream = new URL(target);
  const dropped: string[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const operation = String(incoming.headers["x-amz-target"] ?? "").replace(/^TrentService\./, "");
      let input: Record<string, unknown> = {};
      try {
        input = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        // Not JSON: forwarded as it is, never dropped.
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => answerChunks.push(chunk));
          answer.on("end", () => {
            if (answer.statusCode === 200 && drop(operation, input)) {
              dropped.push(`${operation} ${String(input.KeyId ?? "")}`);
              incoming.socket.destroy();
              return;
            }
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            outgoing.end(Buffer.concat(answerChunks));
          });
        },
      );
      forward.on("error", () => incoming.socket.destroy());
      forward.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        dropped,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
