export * from './stream';
export * from './consumer';
export * from './delivery';
export * from './monitoring';
export * from './redrive';
export * from './pipeline';
export * from './checks';
