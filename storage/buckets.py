"""Token buckets every worker shares: the per-user abuse limit and Telegram's send budget hold for the
whole bot, whatever the number of workers.

- PostgreSQL (`SharedBuckets`): one autocommit statement per take (no transaction held while waiting);
  the bucket's row lock lines concurrent takes up, on the database server's clock.
- Redis (`RedisBuckets`, when ZORGROUTE_REDIS_URL is set): one Lua script per take, on Redis's clock;
  takes the load of the limits off the database.
SQLite runs one worker, whose in-process buckets already are the whole bot's: no shared buckets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.claims import give_back_token, take_token

if TYPE_CHECKING:
    from redis.asyncio import Redis


class Buckets(Protocol):
    async def take(self, key: str, capacity: float, per_second: float) -> float:
        """Take a token from bucket `key` (created full): 0.0 when taken, else seconds until one is."""

    async def give_back(self, key: str, capacity: float) -> None:
        """Return a token taken for a send that another bucket then held back."""

    async def close(self) -> None: ...


class SharedBuckets:
    def __init__(self, engine: AsyncEngine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("shared buckets need PostgreSQL; one SQLite worker keeps its own")
        self.engine = engine

    async def take(self, key: str, capacity: float, per_second: float) -> float:
        async with self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            return await take_token(autocommit, key, capacity, per_second)

    async def give_back(self, key: str, capacity: float) -> None:
        async with self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await give_back_token(autocommit, key, capacity)

    async def close(self) -> None:
        """The engine is the runtime's to dispose of."""


REDIS_CONNECTIONS = 32  # per worker; a take holds one for a round trip of well under a millisecond
REDIS_WAIT_S = 10.0

# Refill by the time since the last take (Redis's clock), then take a token or give one back. A bucket
# nobody used for the time it takes to refill is full again, so it may expire.
_SCRIPT = """
local capacity, rate, give = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == "1"
local bucket = redis.call("HMGET", KEYS[1], "tokens", "at")
if give then
  if bucket[1] then
    redis.call("HSET", KEYS[1], "tokens", tostring(math.min(capacity, tonumber(bucket[1]) + 1)))
  end
  return "0"
end
local clock = redis.call("TIME")
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local tokens, at = tonumber(bucket[1]) or capacity, tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call("HSET", KEYS[1], "tokens", tostring(tokens), "at", tostring(now))
redis.call("EXPIRE", KEYS[1], math.ceil(capacity / rate) + 60)
return tostring(wait)
"""


class RedisBuckets:
    def __init__(self, url: str, *, prefix: str) -> None:
        # Only with ZORGROUTE_REDIS_URL: `pip install zorgroute[redis]`.
        from redis.asyncio import BlockingConnectionPool, Redis

        # A take waits for a free connection. redis-py's default pool raises "Too many connections" at
        # its 100th concurrent command, and a worker that took over a killed one's chats had more updates
        # than that in flight: each of those failed (bench/scaleout.py --redis).
        pool = BlockingConnectionPool.from_url(url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT_S)
        self.redis: Redis = Redis.from_pool(pool)
        self.prefix = prefix
        self._script: Any = self.redis.register_script(_SCRIPT)

    async def take(self, key: str, capacity: float, per_second: float) -> float:
        wait = float(await self._script(keys=[self.prefix + key], args=[capacity, per_second, 0]))
        return max(wait, 1e-3) if wait > 0 else 0.0

    async def give_back(self, key: str, capacity: float) -> None:
        await self._script(keys=[self.prefix + key], args=[capacity, 0, 1])

    async def close(self) -> None:
        await self.redis.aclose()


def shared_buckets(engine: AsyncEngine, *, redis_url: str | None = None, bot_id: str = "") -> Buckets | None:
    """The buckets workers share: in Redis when configured, else in PostgreSQL; None on SQLite (one
    worker, in-process limits). Redis keys carry the bot's id, so bots may share one Redis."""
    if redis_url:
        return RedisBuckets(redis_url, prefix=f"zorgroute:{bot_id}:")
    return SharedBuckets(engine) if engine.dialect.name == "postgresql" else None
