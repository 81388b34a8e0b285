// kafkajs prints a partitioner notice on every producer; it is noise in test output.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
