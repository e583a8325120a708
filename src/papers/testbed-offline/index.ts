/** testbed-offline: the offline testbed's gate (BC on optimal data; IQL, CQL vs BC on random data; exact vs MC). */
export * as experiment from './experiment';
