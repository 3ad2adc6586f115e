export { ledgerFor } from './ledgerFor';
export { parkInLedger } from './parkInLedger';
