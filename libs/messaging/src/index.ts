export * from './kafka-connection';
export * from './message-headers';
export * from './event-publisher';
export * from './event-consumer';
export * from './messaging.module';
export * from './dead-letter-record';
