export * from './capacity-planner';
export * from './scalable-stream';
export * from './shard-auto-scaler';
export { SHARD_AUTO_SCALER_NAMESPACE } from './scaler-defaults';
