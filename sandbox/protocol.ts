import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/**
 * An error KMS would answer with: HTTP status plus `{"__type": name, "message": ...}` (AWS JSON 1.1).
 * https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html
 */
export class KmsError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = status;
  }
}

export const errors = {
  validation: (message: string) => new KmsError("ValidationException", message),
  notFound: (message: string) => new KmsError("NotFoundException", message),
  invalidState: (message: string) => new KmsError("KMSInvalidStateException", message),
  disabled: (message: string) => new KmsError("DisabledException", message),
  unsupported: (message: string) => new KmsError("UnsupportedOperationException", message),
  invalidKeyUsage: (message: string) => new KmsError("InvalidKeyUsageException", message),
  invalidCiphertext: (message: string) => new KmsError("InvalidCiphertextException", message),
  invalidMarker: (message: string) => new KmsError("InvalidMarkerException", message),
  alreadyExists: (message: string) => new KmsError("AlreadyExistsException", message),
  throttling: () =>
    new KmsError(
      "ThrottlingException",
      "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
    ),
  internal: (message = "An internal error occurred") => new KmsError("KMSInternalException", message, 500),
};

/** A JSON object as the protocol carries it; fields are checked one by one in validate.ts. */
export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The whole request body. A body over the limit is read to its end and dropped (stopping half-way would reset
 * the connection before the client reads the answer), then answered 413.
 */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size <= MAX_BODY_BYTES) chunks.push(buffer);
    }
  } catch {
    // The client went away before sending the whole body: its error, not the sandbox's.
    throw new KmsError("SerializationException", "The request body ended before its Content-Length.");
  }
  if (size > MAX_BODY_BYTES) {
    throw new KmsError(
      "RequestEntityTooLargeException",
      `Request body of ${size} bytes exceeds the limit of ${MAX_BODY_BYTES} bytes`,
      413,
    );
  }
  return Buffer.concat(chunks);
}

export function parseJsonInput(body: Buffer): Input {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new KmsError("SerializationException", "Start of structure or map found where not expected.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new KmsError("SerializationException", "Start of structure or map found where not expected.");
  }
  return parsed as Input;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/x-amz-json-1.1",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
  });
  response.end(text);
}

/** Node's default, stated so that the answer can name it. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** How long a refused connection may go on sending before it is closed. */
const DRAIN_MS = 5_000;
const answered = new WeakSet<Duplex>();

/**
 * Requests node's HTTP parser refuses before any handler sees them (header section over MAX_HEADER_BYTES, a
 * request line that is not HTTP). Node's own answer destroys the socket while the client may still be
 * sending, which the client sees as a reset instead of an answer: this one answers in AWS's JSON shape, reads
 * what is still coming, and closes. Oversized headers and timeouts get the codes and wording S3 documents for
 * them (KMS's own are not documented).
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // Node's parser reports each further chunk of a refused request again: it was answered already.
  if (answered.has(socket)) return;
  answered.add(socket);
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, body } = clientErrorAnswer(error.code);
  socket.on("data", () => {});
  setTimeout(() => socket.destroy(), DRAIN_MS).unref();
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function clientErrorAnswer(code: string | undefined): { status: string; body: string } {
  const answer = (status: string, type: string, message: string) => ({
    status,
    body: JSON.stringify({ __type: type, message }),
  });
  if (code === "HPE_HEADER_OVERFLOW") {
    return answer(
      "400 Bad Request",
      "RequestHeaderSectionTooLarge",
      `Your request header section exceeds the maximum allowed size (${MAX_HEADER_BYTES} bytes).`,
    );
  }
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return answer(
      "408 Request Timeout",
      "RequestTimeout",
      "Your socket connection to the server was not read from or written to within the timeout period.",
    );
  }
  return answer("400 Bad Request", "SerializationException", "The request is not a valid HTTP/1.1 request.");
}

/** Errors KMS explains not at all (invalid ciphertext, signature, MAC) carry no message member. */
export function sendError(response: ServerResponse, error: KmsError, requestId: string): void {
  const body = error.message === "" ? { __type: error.type } : { __type: error.type, message: error.message };
  sendJson(response, error.status, body, requestId);
}

/**
 * AWS refuses unsigned requests before looking at them. The signature itself is not checked (the sandbox
 * accepts any dummy credentials), but the header must be SigV4-shaped; its credential scope names the region.
 */
export function signedRegion(request: IncomingMessage): string {
  const header = request.headers.authorization;
  if (typeof header !== "string" || !header.startsWith("AWS4-HMAC-SHA256 ")) {
    throw new KmsError("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  const scope = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/.exec(header);
  if (!scope?.[1]) {
    throw new KmsError(
      "IncompleteSignatureException",
      "Authorization header requires 'Credential' parameter with a valid credential scope.",
    );
  }
  return scope[1];
}

/** Timestamps travel as epoch seconds (fractions allowed), as KMS sends them. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

export function blob(bytes: Buffer): string {
  return bytes.toString("base64");
}
