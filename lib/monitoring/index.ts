export * from './pipeline-monitoring';
export * from './monitorable';
export * from './monitorable-consumer';
export * from './monitoring-options';
