export * from './consumer-type';
export * from './stream-consumer';
export * from './reference-error-alert-function';
export * from './reference-minute-aggregates-function';
