/** Numerical helpers shared by several testbeds (one implementation each). */
export * from './softmax';
