/**
 * riskpo (Ren, Jiang et al. 2025): RiskPO's bundle MVaR advantage (testbeds/reasoning/trainer/objectives/riskpo.ts)
 * against GRPO and DAPO on the reasoning testbed's transformer (experiment.ts).
 */
export * as experiment from './experiment';
