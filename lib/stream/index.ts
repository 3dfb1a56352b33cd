export * from './capacity-planner';
export * from './scalable-stream';
export * from './shard-auto-scaler';
