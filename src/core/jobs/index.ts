export * from './types';
export * from './names';
export * from './spec';
export * from './instanceTypes';
export * from './status';
export * from './metricSeries';
export * from './poller';
export * from './delay';
