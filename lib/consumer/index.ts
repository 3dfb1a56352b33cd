export * from './consumer-type';
export * from './stream-consumer';
export * from './consumer-metrics';
export * from './stream-consumer-defaults';
export * from './reference-error-alert-function';
export * from './reference-minute-aggregates-function';
