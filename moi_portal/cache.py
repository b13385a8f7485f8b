"""The database cache, with an increment that counts.

Django's ``DatabaseCache.incr`` reads the value and writes it back with
``set()``: two requests at once both write the same number, and the write
gives the key the default 300-second lifetime, so a 15-minute or one-hour
limit forgets its count after five minutes. Throttles count with ``incr``
(``accounts.ratelimit``), so here it locks the row, adds in place and keeps
the key's expiry time, as Redis' ``INCR`` does.
"""

import base64
import contextlib
import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now
from redis.exceptions import RedisError


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Only quoted identifiers are formatted in; values are parameters.
        select = f"SELECT value, expires FROM {table} WHERE cache_key = %s{lock}"  # noqa: S608
        update = f"UPDATE {table} SET value = %s WHERE cache_key = %s"  # noqa: S608
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(select, [key])
            row = cursor.fetchone()
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found.")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode()))  # noqa: S301 - our own table
            value += delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(update, [encoded, key])
        return value

    @staticmethod
    def _expired(connection, expires) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        for converter in converters:
            expires = converter(expires, expression, connection)
        return expires < tz_now()


class SharedClientRedisCacheClient(RedisCacheClient):
    """Django wraps its shared connection pool in a new ``redis.Redis`` for every
    cache call, and building one (its tables of response callbacks) costs more
    Python than the call itself. Here each pool gets one client, built once:
    the pool, its connections and their reconnecting are Django's as before,
    and a ``redis.Redis`` over a pool is safe to share between threads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shared_clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._shared_clients.get(pool)
        if client is None:
            client = self._shared_clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache with one client per connection pool."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient


class FailOpenRedisCache(RedisCache):
    """Redis for what is only a copy (the catalogue, rendered page parts).

    When Redis is down a read is a miss and a write is dropped, so pages that
    need nothing from Redis keep working; throttles and lockouts use the
    default cache, which fails closed.
    """

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError:
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with contextlib.suppress(RedisError):
            super().set(key, value, timeout, version)

    def delete_many(self, keys, version=None):
        with contextlib.suppress(RedisError):
            super().delete_many(keys, version)
