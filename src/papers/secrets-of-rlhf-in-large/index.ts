/** The secrets-of-rlhf-in-large paper's experiment (preference strength and its mitigations; its notebook). */
export * as experiment from './experiment';
export * as preferenceStrength from '../../testbeds/preference/methods/preference-strength';
