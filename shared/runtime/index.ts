export { credentialsOf } from './credentialsOf';
export { ledgerFor } from './ledgerFor';
export { publisherFor } from './publisherFor';
export { cloudAssistantFor } from './cloudAssistantFor';
export { objectStoreFor, reportLinkSignerFor } from './objectStoreFor';
export { mailerFor } from './mailerFor';
export { parkInLedger } from './parkInLedger';
export { memo } from './memo';
