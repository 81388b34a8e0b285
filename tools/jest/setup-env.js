// kafkajs prints a partitioner notice on every producer; it is noise in test output.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

// Library code logs through Nest's Logger; in tests, only when asked (TEST_LOG_LEVEL=debug).
if (!process.env.TEST_LOG_LEVEL) {
  require('@nestjs/common').Logger.overrideLogger(false);
}
