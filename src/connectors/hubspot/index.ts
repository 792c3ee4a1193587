/** The HubSpot connector's public surface. */
export { createHubSpotConnector, HubSpotConnector, type HubSpotConnectorOptions } from './connector.js';
export { HubSpotApiError } from './errors.js';
export { verifyHubSpotSignature, parseHubSpotEvents, signV3, type WebhookTarget, type WebhookRequest } from './webhooks.js';
export { streamNames as hubSpotStreams } from './streams/index.js';
export { propertyName as hubSpotPropertyName, taskKeyProperty as hubSpotTaskKeyProperty } from './properties.js';
