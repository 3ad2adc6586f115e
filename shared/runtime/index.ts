export { credentialsOf } from './credentialsOf';
export { publisherFor } from './publisherFor';
export { cloudAssistantFor } from './cloudAssistantFor';
export { objectStoreFor, reportLinkSignerFor } from './objectStoreFor';
export { mailerFor } from './mailerFor';
export { memo } from './memo';
