/** Injection token of the resource pool's configuration (config/resources.yaml). */
export const RESOURCES_CONFIG = Symbol('RESOURCES_CONFIG');
