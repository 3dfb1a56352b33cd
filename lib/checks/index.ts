export * from './streaming-checks';
