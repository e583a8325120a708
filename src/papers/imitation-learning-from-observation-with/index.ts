/** The imitation-learning-from-observation-with paper's experiment (ADS; its notebook of the same name). */
export * as experiment from './experiment';
export * as waypoints from '../../testbeds/tabular/env/ordered-waypoints';
export * as otReward from '../../testbeds/tabular/methods/ot-proxy-reward';
export * as ads from '../../testbeds/tabular/methods/automatic-discount-scheduling';
export * as ilfo from '../../testbeds/tabular/loops/ilfo-q-learning';
