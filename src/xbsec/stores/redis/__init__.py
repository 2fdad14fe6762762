"""The Redis members of the store family, shared by every process and host that uses them.

- ``connection``: how a store talks to Redis (URLs, timeouts, retries, redaction, failures);
- ``replay``: ``RedisReplayStore`` and ``AsyncRedisReplayStore`` (``SET NX PX``);
- ``tokens``: ``RedisTokenStore``, a client's tokens with a refresh lock;
- ``events``: ``RedisEventStore`` and ``AsyncRedisEventStore`` (push de-duplication);
- ``rates``: ``RedisRateStore`` and ``AsyncRedisRateStore`` (token buckets, one Lua script).

Every key of every store is one key per operation, so each works on a Redis Cluster slot.

Each module needs the ``redis`` extra; this package imports nothing until one is used.
"""
