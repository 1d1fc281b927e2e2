"""The Lua scripts of ``RedisRoomStore``: each verb is one script, so it runs whole on the one
Redis while every replica calls it (no two joins race for the last seat or one nickname, and
a recovery rotates the teacher token at once).

Every script starts with ``PRELUDE``: ARGV[1] the key prefix P, ARGV[2] the caller's clock
(seconds), ARGV[3] the idle time after which a class is gone (``EXPIRY_S``), ARGV[4] how long an
ended code is remembered after that; the verb's own arguments follow from ARGV[5]. A script
answers ``{status, ...}``: "ok" or the reason it refused ("nf", "expired", "closed", "badname",
"taken", "full", "fast", "noseat", "again"), which the store turns into the shared sentences.

Keys, for class CODE (``P:room:CODE`` and its three hashes share its TTL, refreshed by activity):

    P:room:CODE           hash: code, teacher, recovery, pdig (digests), pkey (the projector key, shown
                          again to the teacher), active, task (JSON or ""), tv, closed, hidden,
                          focus, paused, locked, jt/ja (the join bucket), n (seats given), rev (roster version)
    P:room:CODE:seats     hash: student_id -> {"o": order, "n": nickname, "s": secret digest, "f": folded,
                          "r": the run store's key of the student's run, once their page said it}
    P:room:CODE:names     hash: folded nickname -> student_id (one nickname a class)
    P:room:CODE:secrets   hash: secret digest -> student_id
    P:teacher:D, P:recovery:D, P:projector:D -> CODE (D: the key's SHA-256)
    P:ended:CODE          "expired": the code was given; kept ARGV[4] past the class (a closed or
                          expired code is told apart from a mistyped one, and never given again)
    P:rooms               sorted set: CODE by its last activity (the cap, and ``expire``)
    P:rev                 a counter: every roster change takes a new ``rev``

Index keys are reached from the class's hash inside the scripts: one Redis (as compose and the
Kubernetes manifests run), not Redis Cluster.
"""
from __future__ import annotations

PRELUDE = r"""
local P, now, idle, keep = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local ttl = math.ceil(idle * 1000)
local function rk(code) return P .. ':room:' .. code end
local function subkeys(k) return {k, k .. ':seats', k .. ':names', k .. ':secrets'} end
local function indexes(k)
  local f = redis.call('HMGET', k, 'teacher', 'recovery', 'pdig')
  local out = {}
  if f[1] then out[#out + 1] = P .. ':teacher:' .. f[1] end
  if f[2] then out[#out + 1] = P .. ':recovery:' .. f[2] end
  if f[3] then out[#out + 1] = P .. ':projector:' .. f[3] end
  return out
end
local function drop(code)
  local k = rk(code)
  for _, key in ipairs(indexes(k)) do redis.call('DEL', key) end
  redis.call('DEL', unpack(subkeys(k)))
  redis.call('ZREM', P .. ':rooms', code)
  redis.call('SET', P .. ':ended:' .. code, 'expired', 'PX', math.ceil(keep * 1000))
end
local function touch(code)
  local k = rk(code)
  redis.call('HSET', k, 'active', now)
  redis.call('ZADD', P .. ':rooms', now, code)
  for _, key in ipairs(subkeys(k)) do redis.call('PEXPIRE', key, ttl) end
  for _, key in ipairs(indexes(k)) do redis.call('PEXPIRE', key, ttl) end
  redis.call('PEXPIRE', P .. ':ended:' .. code, ttl + math.ceil(keep * 1000))
end
local function live(code)
  local k = rk(code)
  local active = redis.call('HGET', k, 'active')
  if not active then
    if redis.call('EXISTS', P .. ':ended:' .. code) == 1 then return nil, 'expired' end
    return nil, 'nf'
  end
  if now - tonumber(active) >= idle then drop(code); return nil, 'expired' end
  return k
end
local function by(kind, digest)
  local code = redis.call('GET', P .. ':' .. kind .. ':' .. digest)
  if not code then return nil, 'nf' end
  local k, why = live(code)
  return k, why, code
end
local function view(k, known)
  local seats = false
  if redis.call('HGET', k, 'rev') ~= known then seats = redis.call('HGETALL', k .. ':seats') end
  return {'ok', redis.call('HGETALL', k), seats}
end
local function roster_changed(k) redis.call('HSET', k, 'rev', redis.call('INCR', P .. ':rev')) end
-- the live class of code and the student id its seat secret's digest holds (touched), or nil, why
local function seat_of(code, digest)
  local k, why = live(code)
  if not k then return nil, nil, why end
  local sid = redis.call('HGET', k .. ':secrets', digest)
  if not sid then return nil, nil, 'noseat' end
  touch(code)
  return k, sid
end
local function sweep()
  local old = redis.call('ZRANGEBYSCORE', P .. ':rooms', '-inf', now - idle)
  for _, code in ipairs(old) do drop(code) end
  return #old
end
"""

# A teacher's verbs start here: ARGV[5] is the digest of the teacher token (activity).
_TEACHER = r"""
local k, why, code = by('teacher', ARGV[5])
if not k then return {why} end
touch(code)
"""

SCRIPTS = {
    # ARGV: code, teacher digest, recovery digest, projector key, its digest, task, task version, cap, burst
    "create": r"""
sweep()
if redis.call('ZCARD', P .. ':rooms') >= tonumber(ARGV[12]) then return {'full'} end
local code = ARGV[5]
if not redis.call('SET', P .. ':ended:' .. code, 'expired', 'NX') then return {'again'} end
local k = rk(code)
redis.call('HSET', k, 'code', code, 'teacher', ARGV[6], 'recovery', ARGV[7], 'pkey', ARGV[8], 'pdig', ARGV[9],
           'task', ARGV[10], 'tv', ARGV[11], 'closed', 0, 'hidden', 0, 'focus', '', 'paused', 0, 'locked', 0,
           'jt', tonumber(ARGV[13]), 'ja', now, 'n', 0)
roster_changed(k)
redis.call('SET', P .. ':teacher:' .. ARGV[6], code)
redis.call('SET', P .. ':recovery:' .. ARGV[7], code)
redis.call('SET', P .. ':projector:' .. ARGV[9], code)
touch(code)
return {'ok'}
""",
    # ARGV: teacher digest, the roster version the caller holds
    "teacher": _TEACHER + "return view(k, ARGV[6])",
    # ARGV: projector digest, known roster version (reading is not activity)
    "projector": r"""
local k, why = by('projector', ARGV[5])
if not k then return {why} end
return view(k, ARGV[6])
""",
    # ARGV: recovery digest, the new teacher token's digest
    "recover": r"""
local k, why, code = by('recovery', ARGV[5])
if not k then return {why} end
redis.call('DEL', P .. ':teacher:' .. redis.call('HGET', k, 'teacher'))
redis.call('HSET', k, 'teacher', ARGV[6])
redis.call('SET', P .. ':teacher:' .. ARGV[6], code)
touch(code)
return {'ok'}
""",
    # ARGV: code
    "check": r"""
local k, why = live(ARGV[5])
if not k then return {why} end
if redis.call('HGET', k, 'closed') == '1' then return {'closed'} end
return {'ok'}
""",
    # ARGV: code, nickname ("" if it cannot be one), folded, student_id, secret digest, cap, rate, burst
    "join": r"""
local code = ARGV[5]
local k, why = live(code)
if not k then return {why} end
if redis.call('HGET', k, 'closed') == '1' then return {'closed'} end
if ARGV[6] == '' then return {'badname'} end
if redis.call('HEXISTS', k .. ':names', ARGV[7]) == 1 then return {'taken'} end
if redis.call('HLEN', k .. ':seats') >= tonumber(ARGV[10]) then return {'full'} end
if redis.call('HEXISTS', k .. ':seats', ARGV[8]) == 1 then return {'again'} end
local b = redis.call('HMGET', k, 'jt', 'ja')
local at = tonumber(b[2])
local tokens = math.min(tonumber(ARGV[12]), tonumber(b[1]) + math.max(0, now - at) * tonumber(ARGV[11]))
local ok = tokens >= 1
if ok then tokens = tokens - 1 end
redis.call('HSET', k, 'jt', tokens, 'ja', math.max(now, at))
if not ok then return {'fast'} end
local order = redis.call('HINCRBY', k, 'n', 1)
redis.call('HSET', k .. ':seats', ARGV[8], cjson.encode({o = order, n = ARGV[6], s = ARGV[9], f = ARGV[7]}))
redis.call('HSET', k .. ':names', ARGV[7], ARGV[8])
redis.call('HSET', k .. ':secrets', ARGV[9], ARGV[8])
roster_changed(k)
touch(code)
return {'ok'}
""",
    # ARGV: code, secret digest, known roster version
    "student": r"""
local k, sid, why = seat_of(ARGV[5], ARGV[6])
if not k then return {why} end
local out = view(k, ARGV[7])
out[4] = sid
return out
""",
    # ARGV: code, secret digest, run key (the seat of that secret only; a new key is a roster change)
    "set_run": r"""
local k, sid, why = seat_of(ARGV[5], ARGV[6])
if not k then return {why} end
local s = cjson.decode(redis.call('HGET', k .. ':seats', sid))
if s.r ~= ARGV[7] then
  s.r = ARGV[7]
  redis.call('HSET', k .. ':seats', sid, cjson.encode(s))
  roster_changed(k)
end
return {'ok'}
""",
    # ARGV: teacher digest, student_id, nickname ("" if it cannot be one), folded
    "rename": _TEACHER + r"""
local seat = redis.call('HGET', k .. ':seats', ARGV[6])
if not seat then return {'noseat'} end
if ARGV[7] == '' then return {'badname'} end
local owner = redis.call('HGET', k .. ':names', ARGV[8])
if owner and owner ~= ARGV[6] then return {'taken'} end
local s = cjson.decode(seat)
redis.call('HDEL', k .. ':names', s.f)
s.n, s.f = ARGV[7], ARGV[8]
redis.call('HSET', k .. ':seats', ARGV[6], cjson.encode(s))
redis.call('HSET', k .. ':names', ARGV[8], ARGV[6])
roster_changed(k)
return {'ok'}
""",
    # ARGV: teacher digest, student_id
    "remove": _TEACHER + r"""
local seat = redis.call('HGET', k .. ':seats', ARGV[6])
if not seat then return {'noseat'} end
local s = cjson.decode(seat)
redis.call('HDEL', k .. ':seats', ARGV[6])
redis.call('HDEL', k .. ':names', s.f)
redis.call('HDEL', k .. ':secrets', s.s)
if redis.call('HGET', k, 'focus') == ARGV[6] then redis.call('HSET', k, 'focus', '') end
roster_changed(k)
return {'ok'}
""",
    # ARGV: teacher digest, task JSON
    "push_task": _TEACHER + r"""
redis.call('HSET', k, 'task', ARGV[6])
return {'ok', redis.call('HINCRBY', k, 'tv', 1)}
""",
    # ARGV: teacher digest, hidden ("" keeps it, "0", "1"), "1" to set focus, focus, paused and locked
    # (each "" keeps it, "0", "1")
    "control": _TEACHER + r"""
if ARGV[7] == '1' and ARGV[8] ~= '' and redis.call('HEXISTS', k .. ':seats', ARGV[8]) == 0 then
  return {'noseat'}
end
if ARGV[6] ~= '' then redis.call('HSET', k, 'hidden', ARGV[6]) end
if ARGV[7] == '1' then redis.call('HSET', k, 'focus', ARGV[8]) end
if ARGV[9] ~= '' then redis.call('HSET', k, 'paused', ARGV[9]) end
if ARGV[10] ~= '' then redis.call('HSET', k, 'locked', ARGV[10]) end
local c = redis.call('HMGET', k, 'hidden', 'focus', 'paused', 'locked')
return {'ok', c[1], c[2], c[3] or '0', c[4] or '0'}
""",
    # ARGV: teacher digest
    "close": _TEACHER + "redis.call('HSET', k, 'closed', 1)\nreturn {'ok'}",
    "expire": "return {'ok', sweep()}",
}
