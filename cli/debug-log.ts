import { type AwsExchange, observeAwsExchanges } from "../byok/kms/exchange-log";

/**
 * `--debug`: one stderr line per AWS HTTP attempt, as the AWS CLI's `--debug` shows the exchange, but
 * metadata only (bodies carry wrapped material and import tokens):
 * `debug: kms DescribeKey attempt 1 -> 400 NotFoundException request 5f0c... 12 ms http://127.0.0.1:4566/`
 */
export function showAwsExchanges(stderr: NodeJS.WritableStream = process.stderr): void {
  observeAwsExchanges((exchange) => stderr.write(`${debugLine(exchange)}\n`));
}

export function debugLine(exchange: AwsExchange): string {
  const outcome = [
    exchange.status === undefined ? "no response" : String(exchange.status),
    ...(exchange.errorCode ? [exchange.errorCode] : []),
    `request ${exchange.requestId ?? "-"}`,
  ].join(" ");
  return `debug: ${exchange.service} ${exchange.operation} attempt ${exchange.attempt} -> ${outcome} ${exchange.elapsedMs} ms ${exchange.endpoint}`;
}
