import {
  buildEnvelope,
  encodeEnvelope,
  signEnvelope,
  SIGNATURE_HEADER,
  type EventDefinition,
  type PayloadOf,
} from '@autocode/contracts';
import { headersFor, type EventPublisher } from '@autocode/messaging';

/**
 * Publishes an event signed with the mesh secret: the envelope is built
 * here (the signature covers its id and time too, not just the payload)
 * and sent as it is, with the signature in SIGNATURE_HEADER.
 */
export async function publishSigned<D extends EventDefinition>(
  publisher: EventPublisher,
  definition: D,
  payload: PayloadOf<D>,
  meta: { producer: string; key: string; correlationId: string },
  secret: string,
): Promise<void> {
  const envelope = buildEnvelope(definition, payload, { producer: meta.producer, correlationId: meta.correlationId });
  await publisher.publishRaw(definition.topic, [
    {
      key: meta.key,
      value: encodeEnvelope(envelope),
      headers: headersFor(envelope, { [SIGNATURE_HEADER]: signEnvelope(envelope, secret) }),
    },
  ]);
}
