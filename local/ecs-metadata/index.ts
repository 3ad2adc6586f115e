export { startEcsMetadataEmulator, EcsMetadataEmulatorDefaults } from './startEcsMetadataEmulator';
export type { EcsMetadataEmulator, EcsMetadataEmulatorOptions } from './startEcsMetadataEmulator';
export { EcsMetadataService, EcsMetadataOperations } from './EcsMetadataService';
export type { EcsMetadataCall, EcsMetadataServiceOptions, EcsRoleCredential } from './EcsMetadataService';
