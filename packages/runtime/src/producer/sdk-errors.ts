interface SdkError extends Error {
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

/** Throttling, 5xx, network and SDK-marked retryable errors are retryable; access, validation and not-found errors are not. */
export function isRetryableSdkError(error: unknown, retryableNames: ReadonlySet<string>): boolean {
  if (!(error instanceof Error)) return false;
  const sdk = error as SdkError;
  if (retryableNames.has(error.name)) return true;
  if (sdk.$retryable) return true;
  const status = sdk.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  // No HTTP response at all: a network error (ECONNRESET, socket timeout).
  return typeof sdk.code === 'string' && /^E[A-Z]+/.test(sdk.code);
}

/** Connection errors raised before a request could reach the service. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a failed call certainly wrote nothing: the service answered with a 4xx (throttling,
 * validation, access) or the connection was never made. A timeout, a connection reset after the
 * request went out, or a 5xx leaves the outcome unknown: the service may have written the records.
 */
export function isCallErrorWithoutWrite(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const sdk = error as SdkError;
  const status = sdk.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 400 && status < 500;
  return typeof sdk.code === 'string' && NOT_CONNECTED.has(sdk.code);
}

const encoder = new TextEncoder();

/** A record's data as bytes; strings as UTF-8. */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}
