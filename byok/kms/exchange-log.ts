/**
 * The HTTP exchange of every AWS call, as metadata only, for whoever asked to see it (the CLI's `--debug`):
 * operation, endpoint, status, AWS request id, attempt and time. Never a body, a header value other than
 * the request id, or a signature: bodies carry wrapped material and import tokens.
 */

/** One HTTP attempt of one AWS call. */
export interface AwsExchange {
  service: string;
  operation: string;
  /** 1 for the first try; retries count up. */
  attempt: number;
  /** `https://kms.us-east-1.amazonaws.com/`: scheme, host, port and path, never a query. */
  endpoint: string;
  /** HTTP status; undefined when no response came (a network error). */
  status?: number;
  /** `x-amzn-requestid`: what AWS support asks for. */
  requestId?: string;
  /** AWS's error code (`ThrottlingException`) for a refused attempt. */
  errorCode?: string;
  elapsedMs: number;
}

type Observer = (exchange: AwsExchange) => void;

let observer: Observer | undefined;

/** Sends every later AWS exchange of this process to `observe` (undefined stops it). */
export function observeAwsExchanges(observe: Observer | undefined): void {
  observer = observe;
}

interface RequestShape {
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
}

interface ResponseShape {
  statusCode?: number;
  headers?: Record<string, string | undefined>;
}

type Handler = (args: { request: unknown }) => Promise<{ response: unknown }>;

/** The slice of the SDK's middleware stack used here (the SDK types it per client's inputs and outputs). */
type AddMiddleware = (
  middleware: (next: Handler, context: { commandName?: string }) => Handler,
  options: { step: "deserialize"; priority: "high"; name: string },
) => void;

/**
 * Adds the observer's middleware to a client. It sits in the deserialize step, inside the retry loop, so
 * every attempt is seen, retries included; with no observer it only passes calls through.
 */
export function logAwsExchanges(client: { middlewareStack: object }, service: string): void {
  const stack = client.middlewareStack as { add: AddMiddleware };
  stack.add(
    (next, context) => async (args) => {
      const observe = observer;
      if (!observe) return next(args);
      const started = Date.now();
      const request = args.request as RequestShape;
      const port = request.port ? `:${request.port}` : "";
      const base = {
        service,
        operation: (context.commandName ?? "unknown").replace(/Command$/, ""),
        attempt: attemptOf(request),
        endpoint: `${request.protocol ?? "https:"}//${request.hostname ?? "?"}${port}${request.path ?? "/"}`,
      };
      try {
        const result = await next(args);
        const response = result.response as ResponseShape;
        observe({ ...base, ...responseFields(response), elapsedMs: Date.now() - started });
        return result;
      } catch (error) {
        const failure = error as { $response?: ResponseShape; $metadata?: { httpStatusCode?: number } };
        const fields = failure.$response ? responseFields(failure.$response) : {};
        const status = fields.status ?? failure.$metadata?.httpStatusCode;
        observe({
          ...base,
          ...fields,
          ...(status === undefined ? {} : { status }),
          errorCode: error instanceof Error ? error.name : "error",
          elapsedMs: Date.now() - started,
        });
        throw error;
      }
    },
    { step: "deserialize", priority: "high", name: "keyplaneExchangeLog" },
  );
}

function responseFields(response: ResponseShape): { status?: number; requestId?: string } {
  const headers = response.headers ?? {};
  const requestId = headers["x-amzn-requestid"] ?? headers["x-amz-request-id"];
  return {
    ...(response.statusCode === undefined ? {} : { status: response.statusCode }),
    ...(requestId === undefined ? {} : { requestId }),
  };
}

/** The SDK numbers attempts in the `amz-sdk-request: attempt=2; max=8` header it adds to each try. */
function attemptOf(request: unknown): number {
  const headers = (request as { headers?: Record<string, string> }).headers ?? {};
  const match = /attempt=(\d+)/.exec(headers["amz-sdk-request"] ?? "");
  return match ? Number(match[1]) : 1;
}
