import Redis

/// The Lua scripts that make each queue step atomic. They read the clock with `TIME`, so hosts with
/// unsynchronised clocks agree on due times, and return strings (RESP2 would truncate Lua numbers).
enum QueueScripts {
    /// Adds a job unless its delivery key was seen within the TTL.
    /// KEYS: stream, dedup key. ARGV: ttl seconds, kind, body.
    static let enqueueOnce = RedisScript(
        name: "enqueue_once",
        source: """
            if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
              return redis.call('XADD', KEYS[1], '*', 'kind', ARGV[2], 'body', ARGV[3], 'attempts', '0')
            end
            return 'duplicate'
            """)

    /// Moves up to ARGV[1] due jobs from the delayed set to their streams, and returns
    /// {moved, next due score or '', now}. KEYS: delayed, urgent stream, edit stream.
    static let promote = RedisScript(
        name: "promote",
        source: """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
            for _, m in ipairs(due) do
              local a = string.find(m, '|', 1, true)
              local b = string.find(m, '|', a + 1, true)
              local kind = string.sub(m, 1, a - 1)
              local stream = KEYS[2]
              if kind == 'edit' then stream = KEYS[3] end
              local attempts = string.sub(m, a + 1, b - 1)
              redis.call('XADD', stream, '*', 'kind', kind, 'body', string.sub(m, b + 1), 'attempts', attempts)
              redis.call('ZREM', KEYS[1], m)
            end
            local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            local nextDue = ''
            if #head > 0 then nextDue = head[2] end
            return {tostring(#due), nextDue, tostring(now)}
            """)

    /// Acknowledges a job only if this consumer still owns it (a worker paused past its lease is fenced),
    /// and in the same step writes what the job leaves behind.
    /// KEYS: job stream, urgent stream, edit stream, delayed set, dead hash, errors hash.
    /// ARGV: group, consumer, entry id, then operations: X kind body attempts | Z score member | R member |
    /// D json (dead-letter this entry) | E text (remember the last error).
    static let complete = RedisScript(
        name: "complete",
        source: """
            local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
            if #p == 0 or p[1][2] ~= ARGV[2] then return 'fenced' end
            redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
            redis.call('XDEL', KEYS[1], ARGV[3])
            redis.call('HDEL', KEYS[6], ARGV[3])
            local i = 4
            while i <= #ARGV do
              local op = ARGV[i]
              if op == 'X' then
                local stream = KEYS[2]
                if ARGV[i + 1] == 'edit' then stream = KEYS[3] end
                redis.call('XADD', stream, '*', 'kind', ARGV[i + 1], 'body', ARGV[i + 2], 'attempts', ARGV[i + 3])
                i = i + 4
              elseif op == 'Z' then
                redis.call('ZADD', KEYS[4], ARGV[i + 1], ARGV[i + 2])
                i = i + 3
              elseif op == 'R' then
                redis.call('ZREM', KEYS[4], ARGV[i + 1])
                i = i + 2
              elseif op == 'D' then
                redis.call('HSET', KEYS[5], ARGV[3], ARGV[i + 1])
                i = i + 2
              else
                return 'bad operation'
              end
            end
            return 'ok'
            """)

    /// Rate limit shared by all workers: a sliding window per chat and one for the bot (at most N sends in
    /// any period, as Telegram counts), plus a pause per chat after a 429. Returns '0' and records the send
    /// in both windows as `slot:<id>`, or the milliseconds until a slot frees, recording nothing.
    /// KEYS: chat window, global window, chat pause. ARGV: chat count, chat period ms, global count,
    /// global period ms.
    static let rateLimit = RedisScript(
        name: "rate_limit",
        source: """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local pause = redis.call('PTTL', KEYS[3])
            if pause > 0 then return tostring(pause) end
            local function wait(key, count, period)
              redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
              if redis.call('ZCARD', key) < count then return 0 end
              local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
              return math.max(1, tonumber(oldest[2]) + period - now + 1)
            end
            local cc, cp, gc, gp = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
            local w = math.max(wait(KEYS[1], cc, cp), wait(KEYS[2], gc, gp))
            if w > 0 then return tostring(w) end
            local id = tostring(now) .. '-' .. tostring(redis.call('INCR', KEYS[1] .. ':seq'))
            redis.call('ZADD', KEYS[1], now, id)
            redis.call('PEXPIRE', KEYS[1], cp + 1000)
            redis.call('PEXPIRE', KEYS[1] .. ':seq', cp + 1000)
            redis.call('ZADD', KEYS[2], now, id)
            redis.call('PEXPIRE', KEYS[2], gp + 1000)
            return 'slot:' .. id
            """)

    /// Records that a job loop is alive, on the Redis clock, and forgets loops silent for an hour.
    /// KEYS: workers. ARGV: consumer.
    static let heartbeat = RedisScript(
        name: "heartbeat",
        source: """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
            return 'ok'
            """)

    /// Takes or renews the single poller lease. KEYS: lease. ARGV: holder, ttl ms. Returns 'held' or 'busy'.
    static let lease = RedisScript(
        name: "lease",
        source: """
            local holder = redis.call('GET', KEYS[1])
            if holder == false or holder == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 'held'
            end
            return 'busy'
            """)
}
