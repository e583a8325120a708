/** The preference-learning testbed: contexts × responses, general preferences, exact references, and the algorithms. */
export * as game from './game';
export * as policies from './policies';
export * as nash from './nash';
export * as nashMd from './nash-md';
export * as onlineMd from './online-md';
export * as dno from './dno';
export * as inpo from './inpo';
export * as data from './data';
export * as tabularPolicy from './tabular-policy';
export * as btReward from './bt-reward';
export * as dpo from './dpo';
export * as ipo from './ipo';
export * as rpo from './rpo';
export * as rlhf from './rlhf';
export * as p3o from './p3o';
export * as par from './par';
export * as tokenSequences from './token-sequences';
