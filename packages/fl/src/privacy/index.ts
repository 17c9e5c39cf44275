export { RDP_ORDERS, gaussianRdp, epsilonFromRdp, gaussianMechanismEpsilon } from './rdp-accountant';
export { type ClientLevelDpOptions, aggregateWithClientLevelDp } from './client-level-dp';
