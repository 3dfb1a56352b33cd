export * from './redrive-function';
